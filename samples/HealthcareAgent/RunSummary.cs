using System.Globalization;
using AuditGen;

namespace HealthcareAgent;

/// <summary>What one run left in the trail, read back from the trail itself (not from the agent's own bookkeeping).</summary>
internal sealed record RunSummary(long RecordsThisRun, long RecordsTotal, IReadOnlyList<string> Conversations,
    IReadOnlyList<(string Tool, int Calls, int Failed)> Tools, int UserMessages, int Responses, long TokensIn, long TokensOut, decimal Cost)
{
    public static async Task<long> CountAsync(IAuditTrail trail, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var _ in trail.QueryAsync(new AuditQuery(), cancellationToken))
            count++;
        return count;
    }

    /// <summary>Reads every record after the first <paramref name="recordsBefore"/> (records come in sequence order).</summary>
    public static async Task<RunSummary> CollectAsync(IAuditTrail trail, long recordsBefore, CancellationToken cancellationToken)
    {
        var thisRun = new List<AuditRecord>();
        long total = 0;
        await foreach (var record in trail.QueryAsync(new AuditQuery(), cancellationToken))
        {
            if (total++ >= recordsBefore)
                thisRun.Add(record);
        }

        var conversations = thisRun.Select(r => r.ConversationId).OfType<string>().Distinct().ToList();
        var tools = thisRun.Where(r => r.ToolName is not null)
            .GroupBy(r => r.ToolName!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count(r => r.Action == AuditAction.ToolInvoked), g.Count(r => r.Action == AuditAction.ToolFailed)))
            .ToList();
        var responses = thisRun.Where(r => r.Action == AuditAction.AgentResponseGenerated).ToList();
        return new RunSummary(thisRun.Count, total, conversations, tools,
            thisRun.Count(r => r.Action == AuditAction.UserMessageReceived), responses.Count,
            responses.Sum(r => r.TokensIn ?? 0), responses.Sum(r => r.TokensOut ?? 0), responses.Sum(r => r.Cost ?? 0m));
    }

    public void Write(TextWriter output, string trailPath, VerificationResult verification)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"Audit trail: {trailPath}");
        output.WriteLine(string.Create(invariant, $"Records written this run: {RecordsThisRun} (trail total: {RecordsTotal})"));
        output.WriteLine(string.Create(invariant, $"Conversations: {Conversations.Count} ({string.Join(", ", Conversations)})"));
        output.WriteLine(string.Create(invariant,
            $"Agent turns: {UserMessages} user messages, {Responses} responses ({TokensIn} tokens in, {TokensOut} out, cost {Cost} USD)"));
        output.WriteLine("Tool calls:");
        foreach (var (tool, calls, failed) in Tools)
            output.WriteLine(string.Create(invariant, $"  {tool,-22}{calls,3}{(failed > 0 ? $"  ({failed} failed)" : "")}"));
        output.WriteLine(verification.IsValid
            ? string.Create(invariant, $"Verification: valid ({verification.RecordsChecked} records checked, head {verification.HeadHash})")
            : string.Create(invariant, $"Verification: FAILED at sequence {verification.FirstBrokenSequence}: {verification.Failure}: {verification.Reason}"));
    }
}
