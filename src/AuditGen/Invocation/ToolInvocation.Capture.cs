using System.Text;
using System.Text.Json;
using AuditGen.Redaction;

namespace AuditGen;

/// <summary>Argument and result capture: render, redact, write into the details JSON.</summary>
public sealed partial class ToolInvocation
{
    private DetailsWriter? _arguments;
    private int _objectParameter = -1;
    private string? _resourceId;
    private string? _subjectId;

    // Raw text of this call's redacted arguments, kept only to scrub them from an exception message; dropped when the
    // call ends.
    private CapturedSecret[]? _secrets;
    private int _secretCount;

    /// <summary>Captures (and redacts) the argument for <c>tool.Parameters[parameterIndex]</c>.</summary>
    public void Argument<T>(int parameterIndex, T value)
    {
        EnsureStage(Stage.Capturing, nameof(Argument));
        if (_objectParameter >= 0)
            throw ObjectArgumentOpen(nameof(Argument));
        var parameter = _tool.Parameters[parameterIndex];
        var strategy = RedactionEngine.StrategyFor(parameter.Classification, parameter.Redaction);
        Capture(ArgumentsJson(), parameter.Name, owner: null, strategy, parameter.Role, value, rememberRaw: true);
    }

    /// <summary>Begins an argument written property by property (its type has classified properties).</summary>
    public void BeginObjectArgument(int parameterIndex)
    {
        EnsureStage(Stage.Capturing, nameof(BeginObjectArgument));
        if (_objectParameter >= 0)
            throw ObjectArgumentOpen(nameof(BeginObjectArgument));
        var parameter = _tool.Parameters[parameterIndex];
        var json = ArgumentsJson();
        json.WritePropertyName(parameter.Name);
        json.WriteStartObject();
        _objectParameter = parameterIndex;
    }

    /// <summary>Captures (and redacts) one property of the current object argument: <c>Parameters[p].Properties[propertyIndex]</c>.</summary>
    public void ObjectProperty<T>(int propertyIndex, T value)
    {
        EnsureStage(Stage.Capturing, nameof(ObjectProperty));
        if (_objectParameter < 0)
            throw new InvalidOperationException($"ToolInvocation of tool '{_tool.Name}': ObjectProperty needs BeginObjectArgument first.");
        var parameter = _tool.Parameters[_objectParameter];
        var property = parameter.Properties[propertyIndex];

        var strategy = RedactionEngine.StrategyFor(parameter, property);
        Capture(ArgumentsJson(), property.Name, parameter.Name, strategy, property.Role, value, rememberRaw: true);
    }

    /// <summary>Ends the current object argument.</summary>
    public void EndObjectArgument()
    {
        EnsureStage(Stage.Capturing, nameof(EndObjectArgument));
        if (_objectParameter < 0)
            throw new InvalidOperationException($"ToolInvocation of tool '{_tool.Name}': EndObjectArgument without BeginObjectArgument.");
        ArgumentsJson().WriteEndObject();
        _objectParameter = -1;
    }

    private void BeginArguments()
    {
        var writer = DetailsWriter.Rent();
        var json = writer.Json;
        json.WriteStartObject();
        json.WriteString(DetailNames.CallId, _callId);
        WriteToolCallId(json);
        json.WritePropertyName(DetailNames.Arguments);
        json.WriteStartObject();
        _arguments = writer;
    }

    private Utf8JsonWriter ArgumentsJson() =>
        (_arguments ?? throw new InvalidOperationException($"ToolInvocation of tool '{_tool.Name}' has no argument writer.")).Json;

    /// <summary>Closes the arguments and returns the invoked record's details.</summary>
    private string EndArguments()
    {
        if (_objectParameter >= 0)
            throw new InvalidOperationException($"ToolInvocation of tool '{_tool.Name}': EndObjectArgument was not called before InvokedAsync.");
        var writer = _arguments ?? throw new InvalidOperationException($"ToolInvocation of tool '{_tool.Name}' has no argument writer.");
        var json = writer.Json;
        json.WriteEndObject();
        if (_tool.Action is AuditAction.DataAccessed or AuditAction.DataModified)
            json.WriteString(DetailNames.DataAction, _tool.Action.ToWireName());
        json.WriteEndObject();
        _arguments = null;
        return writer.ToStringAndReturn();
    }

    /// <summary>The completion record's details: the call id and, unless the tool returns nothing, the redacted result.</summary>
    private string ResultDetails<T>(T result, bool hasResult)
    {
        var writer = DetailsWriter.Rent();
        var json = writer.Json;
        json.WriteStartObject();
        json.WriteString(DetailNames.CallId, _callId);
        WriteToolCallId(json);
        if (hasResult)
        {
            var strategy = RedactionEngine.StrategyForResult(_tool);
            _capturingResult = true;
            try
            {
                Capture(json, DetailNames.Result, owner: null, strategy, ToolParameterRole.None, result, rememberRaw: false);
            }
            finally
            {
                _capturingResult = false;
            }
        }

        json.WriteEndObject();
        return writer.ToStringAndReturn();
    }

    private void WriteToolCallId(Utf8JsonWriter json)
    {
        if (_context?.ToolCallId is { } toolCallId)
            json.WriteString(DetailNames.ToolCallId, toolCallId);
    }

    /// <summary>Renders, redacts and writes one named value; redaction happens before anything is written.</summary>
    private void Capture<T>(Utf8JsonWriter json, string name, string? owner, RedactionStrategy? strategy, ToolParameterRole role, T value, bool rememberRaw)
    {
        Span<char> scratch = stackalloc char[ValueRenderer.ScratchLength];
        var rendered = ValueRenderer.Render(value, scratch, _options.ValueSerializerOptions);
        var max = Math.Max(0, _options.MaxCapturedValueLength);

        switch (rendered.Kind)
        {
            case RenderedKind.Null:
                json.WritePropertyName(name);
                json.WriteNullValue();
                return;
            case RenderedKind.Unserializable:
                // The marker holds no part of the value, so it is written whatever the strategy.
                json.WritePropertyName(name);
                json.WriteStartObject();
                json.WriteString(DetailNames.Unserializable, rendered.TypeName);
                json.WriteString(DetailNames.Reason, rendered.Reason);
                json.WriteEndObject();
                return;
        }

        if (strategy is null)
        {
            json.WritePropertyName(name);
            WriteAsIs(json, ref rendered, max);
            if (role != ToolParameterRole.None)
            {
                var text = AsText(ref rendered);
                RememberSealSubject(role, text);
                SetIdentifier(role, Cap(text, max));
            }
            return;
        }

        var raw = AsText(ref rendered);
        RememberSealSubject(role, raw);
        if (strategy == RedactionStrategy.Seal)
        {
            // Kept whole (no truncation): the vault holds the full value, the record only its commitment.
            CaptureSealed(json, name, owner, ref rendered, CurrentSeals());
            if (rememberRaw)
                RememberSecret(owner is null ? name : owner + "." + name, raw);
            if (role != ToolParameterRole.None)
                SetIdentifier(role, "[sealed]");
            return;
        }

        var redacted = _redaction.Redact(strategy.GetValueOrDefault(), raw, _tool, name, owner);
        json.WritePropertyName(name);
        if (redacted.Length > max)
            WriteTruncated(json, redacted, max);
        else
            json.WriteStringValue(redacted);
        if (rememberRaw)
            RememberSecret(owner is null ? name : owner + "." + name, raw);
        if (role != ToolParameterRole.None)
            SetIdentifier(role, redacted);
    }

    private static void WriteAsIs(Utf8JsonWriter json, ref RenderedValue rendered, int max)
    {
        switch (rendered.Kind)
        {
            case RenderedKind.String:
                if (rendered.Text.Length > max)
                    WriteTruncated(json, rendered.Text, max);
                else
                    json.WriteStringValue(rendered.Text);
                break;
            case RenderedKind.Literal:
                json.WriteRawValue(rendered.Text, skipInputValidation: true);
                break;
            default:
                var bytes = rendered.Json!;
                if (bytes.Length > max && Encoding.UTF8.GetCharCount(bytes) > max)
                    WriteTruncated(json, Encoding.UTF8.GetString(bytes), max);
                else
                    json.WriteRawValue(bytes, skipInputValidation: true);
                break;
        }
    }

    private static void WriteTruncated(Utf8JsonWriter json, ReadOnlySpan<char> text, int max)
    {
        var cut = max;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
            cut--;
        json.WriteStartObject();
        json.WriteBoolean(DetailNames.Truncated, true);
        json.WriteNumber(DetailNames.Length, text.Length);
        json.WriteString(DetailNames.Prefix, text[..cut]);
        json.WriteEndObject();
    }

    /// <summary>The value's text: the string itself, the literal, or the JSON.</summary>
    private static string AsText(ref RenderedValue rendered) => rendered.Kind switch
    {
        RenderedKind.Json => Encoding.UTF8.GetString(rendered.Json!),
        _ => rendered.SourceString ?? rendered.Text.ToString(),
    };

    private static string Cap(string text, int max)
    {
        if (text.Length <= max)
            return text;
        var cut = max > 0 && char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut];
    }

    private void SetIdentifier(ToolParameterRole role, string value)
    {
        if (role == ToolParameterRole.ResourceId)
            _resourceId = value;
        else if (role == ToolParameterRole.SubjectId)
            _subjectId = value;
    }

    private void RememberSecret(string name, string raw)
    {
        if (raw.Length == 0)
            return;
        var secrets = _secrets;
        if (secrets is null)
            _secrets = secrets = new CapturedSecret[Math.Max(2, _tool.Parameters.Count)];
        else if (_secretCount == secrets.Length)
            Array.Resize(ref _secrets, secrets.Length * 2);
        _secrets![_secretCount++] = new CapturedSecret(name, raw);
    }

    /// <summary>Drops every raw value kept for message scrubbing.</summary>
    private void ForgetSecrets()
    {
        if (_secrets is not null)
        {
            Array.Clear(_secrets);
            _secrets = null;
            _secretCount = 0;
        }
    }

    private InvalidOperationException ObjectArgumentOpen(string operation) =>
        new($"ToolInvocation of tool '{_tool.Name}': {operation} while an object argument is open (call EndObjectArgument first).");

    private readonly record struct CapturedSecret(string Name, string Raw);
}
