using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AuditGen.Canonical;
using AuditGen.Erasure;

namespace AuditGen;

/// <summary>
/// <see cref="RedactionStrategy.Seal"/>: the value's canonical JSON is committed to (<c>HMAC-SHA256(kc, opening ‖
/// payload)</c>, random opening), the record keeps only <c>{"$sealed":"&lt;commitment&gt;"}</c>, and the payload travels
/// with the entry to the trail's writer, which encrypts it under the data subject's key in the vault.
/// </summary>
public sealed partial class ToolInvocation
{
    private SealingKeys? _sealing;
    private List<SealedValue>? _sealedValues;
    private string? _sealSubject;
    private byte[]? _sealPseudonym;

    /// <summary>For a tool that seals: the trail's sealing keys, or a clear error before anything runs.</summary>
    private void BeginSealing()
    {
        if (!_tool.Seals)
            return;
        var whyNot = $"the trail ({_trail.GetType().Name}) keeps no vault for sealed values";
        _sealing = _trail is ISealingTrail sealing ? sealing.SealingKeys(out whyNot) : null;
        if (_sealing is null)
        {
            throw new AuditTrailException(
                $"Tool '{_tool.Name}' seals values ({nameof(RedactionStrategy)}.{nameof(RedactionStrategy.Seal)}), but {whyNot}. " +
                $"Open a LiteDB or PostgreSQL trail with {nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)} set (a commitment key of at least {ErasureOptions.MinimumKeyLength} bytes; " +
                $"for PostgreSQL also a {nameof(ErasureOptions.VaultDirectory)}).");
        }
        _sealSubject = _context?.SubjectId;
    }

    /// <summary>Seals one value into <paramref name="json"/> as its commitment marker.</summary>
    private void CaptureSealed(Utf8JsonWriter json, string name, string? owner, ref RenderedValue rendered, List<SealedValue> into)
    {
        var sealing = _sealing ?? throw new InvalidOperationException($"ToolInvocation of tool '{_tool.Name}' has no sealing keys.");
        byte[] payload;
        try
        {
            payload = CanonicalPayload(ref rendered);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw new AuditTrailException(
                $"Tool '{_tool.Name}' cannot seal '{(owner is null ? name : owner + "." + name)}': the value has no canonical JSON form ({e.GetType().Name}).");
        }

        var opening = RandomNumberGenerator.GetBytes(SealingKeys.OpeningLength);
        var commitment = new byte[SealingKeys.Length];
        sealing.Commit(opening, payload, commitment);
        into.Add(new SealedValue(into.Count, commitment, opening, payload));
        json.WritePropertyName(name);
        json.WriteStartObject();
        json.WriteString(SealFormat.Marker, Base64Url.Encode(commitment));
        json.WriteEndObject();
    }

    /// <summary>The subject a sealing tool's records are keyed under: its <c>[SubjectId]</c> argument, else the context's.</summary>
    private void RememberSealSubject(ToolParameterRole role, string raw)
    {
        if (_sealing is not null && role == ToolParameterRole.SubjectId && raw.Length > 0)
            _sealSubject = raw;
    }

    /// <summary>At the end of the arguments of a tool that seals: the call must have a data subject, or nothing runs.</summary>
    /// <exception cref="AuditTrailException">The call has no data subject.</exception>
    private void EnsureSealSubject()
    {
        if (_sealing is null || _sealSubject is not null)
            return;
        if (_sealedValues is { } values)
        {
            foreach (var value in values)
                value.Clear();
            _sealedValues = null;
        }
        throw new AuditTrailException(
                $"Tool '{_tool.Name}' seals values but the call has no data subject to seal them under: mark the parameter that " +
                $"identifies the subject [SubjectId], or set {nameof(AuditContext)}.{nameof(AuditContext.SubjectId)} " +
                $"(AuditContext.BeginSubject(id)). Sealed values are never recorded in clear.");
    }

    /// <summary>The sealed values of the record being built, or null when it has none.</summary>
    private SealedPayloads? TakeSealed(ref List<SealedValue>? values)
    {
        var taken = values;
        values = null;
        if (taken is null || taken.Count == 0)
            return null;
        // One pseudonym per call: the invoked and the completed record share the subject.
        _sealPseudonym ??= _sealing!.Pseudonym(_sealSubject!);
        return new SealedPayloads(_sealPseudonym, taken);
    }

    private List<SealedValue>? _resultSeals;
    private bool _capturingResult;

    private List<SealedValue> CurrentSeals() => _capturingResult ? _resultSeals ??= [] : _sealedValues ??= [];

    private static byte[] CanonicalPayload(ref RenderedValue rendered)
    {
        switch (rendered.Kind)
        {
            case RenderedKind.Json:
                return JsonCanonicalizer.Canonicalize(rendered.Json!);
            case RenderedKind.Literal:
                return JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(rendered.Text.ToString()));
            default:
                // A string: its RFC 8785 form written directly (no parse).
                var buffer = new System.Buffers.ArrayBufferWriter<byte>(rendered.Text.Length + 16);
                new CanonicalJsonWriter(buffer).String(rendered.SourceString ?? rendered.Text.ToString());
                return buffer.WrittenSpan.ToArray();
        }
    }
}
