using System.Buffers;
using System.Globalization;
using System.Text;

namespace AuditGen.Canonical;

/// <summary>
/// Writes JSON in the RFC 8785 (JSON Canonicalization Scheme) form: no insignificant white space, strings with the
/// minimal escaping the RFC prescribes, numbers in ECMAScript form, object members in UTF-16 code unit order.
/// The caller supplies members in order; the writer refuses an out-of-order or repeated name rather than
/// silently producing bytes that would hash differently elsewhere.
/// </summary>
internal sealed class CanonicalJsonWriter
{
    private readonly IBufferWriter<byte> _output;
    private readonly Stack<Scope> _scopes = new();
    private bool _needsComma;
    private bool _afterName;

    public CanonicalJsonWriter(IBufferWriter<byte> output) => _output = output ?? throw new ArgumentNullException(nameof(output));

    public void StartObject()
    {
        BeforeValue();
        WriteByte((byte)'{');
        _scopes.Push(new Scope(isObject: true));
        _needsComma = false;
        _afterName = false;
    }

    public void EndObject() => End(isObject: true, (byte)'}');

    public void StartArray()
    {
        BeforeValue();
        WriteByte((byte)'[');
        _scopes.Push(new Scope(isObject: false));
        _needsComma = false;
        _afterName = false;
    }

    public void EndArray() => End(isObject: false, (byte)']');

    /// <summary>Writes a member name. Names must arrive in ascending UTF-16 code unit order within an object.</summary>
    public void PropertyName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_scopes.Count == 0 || !_scopes.Peek().IsObject || _afterName)
            throw new InvalidOperationException($"A property name ('{name}') is only valid directly inside an object.");
        var scope = _scopes.Peek();
        if (scope.LastName is not null && string.CompareOrdinal(scope.LastName, name) >= 0)
            throw new InvalidOperationException(
                $"RFC 8785 requires members in UTF-16 code unit order without repeats: '{name}' came after '{scope.LastName}'.");
        scope.LastName = name;
        if (_needsComma) WriteByte((byte)',');
        WriteEscapedString(name);
        WriteByte((byte)':');
        _afterName = true;
        _needsComma = false;
    }

    /// <summary>Writes a string, or <c>null</c> for a null reference.</summary>
    public void String(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }

        BeforeValue();
        WriteEscapedString(value);
        AfterValue();
    }

    public void Integer(long value)
    {
        // ECMAScript number serialization is exact only up to 2^53; beyond that the value would change meaning.
        if (value is > MaxSafeInteger or < -MaxSafeInteger)
            throw new ArgumentOutOfRangeException(nameof(value), value, "Integers beyond ±(2^53−1) cannot be represented exactly in RFC 8785 JSON; write them as strings.");
        BeforeValue();
        Span<byte> buffer = stackalloc byte[24];
        value.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture);
        WriteRaw(buffer[..written]);
        AfterValue();
    }

    public void Number(double value)
    {
        BeforeValue();
        WriteAscii(EcmaScriptNumber.Format(value));
        AfterValue();
    }

    public void Boolean(bool value)
    {
        BeforeValue();
        WriteRaw(value ? "true"u8 : "false"u8);
        AfterValue();
    }

    public void Null()
    {
        BeforeValue();
        WriteRaw("null"u8);
        AfterValue();
    }

    /// <summary>Embeds JSON that is already canonical (for example a record's canonical <c>details</c>).</summary>
    public void RawCanonical(ReadOnlySpan<byte> canonicalJson)
    {
        if (canonicalJson.IsEmpty) throw new ArgumentException("Canonical JSON must not be empty.", nameof(canonicalJson));
        BeforeValue();
        WriteRaw(canonicalJson);
        AfterValue();
    }

    private const long MaxSafeInteger = (1L << 53) - 1;

    private void End(bool isObject, byte token)
    {
        if (_scopes.Count == 0 || _scopes.Peek().IsObject != isObject || _afterName)
            throw new InvalidOperationException(isObject ? "EndObject without a matching StartObject." : "EndArray without a matching StartArray.");
        _scopes.Pop();
        WriteByte(token);
        AfterValue();
    }

    private void BeforeValue()
    {
        if (_scopes.Count > 0 && _scopes.Peek().IsObject && !_afterName)
            throw new InvalidOperationException("A value inside an object must follow a property name.");
        if (_needsComma && !_afterName) WriteByte((byte)',');
    }

    private void AfterValue()
    {
        _afterName = false;
        _needsComma = _scopes.Count > 0;
    }

    private void WriteEscapedString(string value)
    {
        WriteByte((byte)'"');
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }

                throw new ArgumentException($"The string contains an unpaired surrogate at index {i}; it has no UTF-8 form and cannot be canonicalized.", nameof(value));
            }

            if (c >= 0x20 && c != '"' && c != '\\') continue;
            WriteUtf8(value.AsSpan(start, i - start));
            start = i + 1;
            switch (c)
            {
                case '"': WriteRaw("\\\""u8); break;
                case '\\': WriteRaw("\\\\"u8); break;
                case '\b': WriteRaw("\\b"u8); break;
                case '\f': WriteRaw("\\f"u8); break;
                case '\n': WriteRaw("\\n"u8); break;
                case '\r': WriteRaw("\\r"u8); break;
                case '\t': WriteRaw("\\t"u8); break;
                default:
                    Span<byte> escape = [(byte)'\\', (byte)'u', (byte)'0', (byte)'0', Hex(c >> 4), Hex(c & 0xF)];
                    WriteRaw(escape);
                    break;
            }
        }

        WriteUtf8(value.AsSpan(start));
        WriteByte((byte)'"');
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private void WriteUtf8(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        var span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var written = Encoding.UTF8.GetBytes(text, span);
        _output.Advance(written);
    }

    private void WriteAscii(string text)
    {
        var span = _output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++) span[i] = (byte)text[i];
        _output.Advance(text.Length);
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }

    private void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    private sealed class Scope(bool isObject)
    {
        public bool IsObject { get; } = isObject;
        public string? LastName { get; set; }
    }
}
