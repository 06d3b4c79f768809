using AuditGen.Storage.Journal;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

/// <summary>The journal's own chain is checked from its frames' bytes; an edit that keeps the frame CRC valid is still caught.</summary>
public sealed class JournalChainTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_journal_record_edited_with_its_crc_recomputed_is_a_hash_mismatch_in_the_journal_at_its_sequence()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 10);
        EditJournalFrame(3, payload =>
        {
            var text = System.Text.Encoding.UTF8.GetString(payload);
            return System.Text.Encoding.UTF8.GetBytes(text.Replace("\"dr.house\"", "\"dr.evil!\"", StringComparison.Ordinal));
        });

        await using var trail = _folder.Open(readOnly: true);
        var result = await trail.VerifyAsync();

        Assert.Equal((VerificationFailure.HashMismatch, 3L), (result.Failure, result.FirstBrokenSequence));
        Assert.Contains("Journal", result.Reason);
    }

    private void EditJournalFrame(long sequence, Func<byte[], byte[]> edit)
    {
        var bytes = File.ReadAllBytes(_folder.JournalPath);
        long offset;
        JournalFrameHeader header;
        using (var stream = new MemoryStream(bytes))
        using (var reader = new JournalReader(stream, _folder.JournalPath))
        {
            JournalFrame frame;
            do
                Assert.True(reader.TryReadNext(out frame));
            while (frame.Header.Sequence < sequence);
            offset = frame.Offset;
            header = frame.Header;
        }
        var payload = bytes.AsSpan((int)offset + JournalFormat.FrameHeaderLength, header.PayloadLength).ToArray();
        var edited = edit(payload);
        Assert.Equal(payload.Length, edited.Length);
        Assert.NotEqual(payload, edited);
        edited.CopyTo(bytes, (int)offset + JournalFormat.FrameHeaderLength);
        var hash = Convert.FromHexString(header.Hash);
        JournalFormat.WriteFrameHeader(bytes.AsSpan((int)offset, JournalFormat.FrameHeaderLength), edited, header.Sequence, header.CommitFirst, header.CommitCount, hash);
        File.WriteAllBytes(_folder.JournalPath, bytes);
    }
}
