using System.CommandLine;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Erasure;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen erase &lt;trail&gt; --subject ID --reason TEXT --by WHO [--vault DIR] [--commitment-key FILE] [--json]</c>:
/// erases a data subject (GDPR Art. 17) by destroying its keys in the trail's vault and records it as <c>subject_erased</c>.
/// The trail is a LiteDB file (its vault beside it unless <c>--vault</c> says otherwise) or a PostgreSQL log
/// (<c>postgres://… --log ID</c> or <c>--postgres … --log ID</c>, with <c>--vault</c> required: PostgreSQL keeps no keys).
/// Takes the write lock of the trail (LiteDB) and of the vault (both). The commitment key comes from <c>--commitment-key</c> (a file holding it as base64) or
/// <c>$AUDITGEN_COMMITMENT_KEY</c> (base64); <c>$AUDITGEN_HMAC_KEY</c>, when set, lets holds drawn around the subject's
/// HMAC pseudonym be recognised too.
/// </summary>
internal static class EraseCommand
{
    public const string CommitmentKeyVariable = "AUDITGEN_COMMITMENT_KEY";
    public const string HmacKeyVariable = "AUDITGEN_HMAC_KEY";

    public static Command Create(CliOutput io)
    {
        var target = new TrailTargetOptions();
        var vault = new Option<string?>("--vault")
        {
            Description = "The vault folder (subject keys and sealed payloads): required for a PostgreSQL trail, where the application seals into it; " +
                "for a LiteDB trail the default is <trail>.vault.",
            HelpName = "dir",
        };
        var subject = NonEmpty(new Option<string>("--subject") { Description = "The data subject's id, as the tools saw it (the [SubjectId] argument).", HelpName = "id", Required = true });
        var reason = NonEmpty(new Option<string>("--reason") { Description = "Why (e.g. the request's reference); recorded, scrubbed of the subject id.", HelpName = "text", Required = true });
        var by = NonEmpty(new Option<string>("--by") { Description = "Who requested the erasure; recorded as the actor.", HelpName = "who", Required = true });
        var key = new Option<string?>("--commitment-key") { Description = $"File holding the trail's commitment key as base64 (default: ${CommitmentKeyVariable}).", HelpName = "file" };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };
        var command = new Command("erase",
            "Erase a data subject's sealed content (crypto-shredding) and record it. Exit 0: erased, already erased or nothing to erase; " +
            "3: missing, unreadable or locked trail; 4: unusable commitment key; 5: refused (legal hold).")
        {
            subject, reason, by, vault, key, json,
        };
        target.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(vault) is { } directory && string.IsNullOrWhiteSpace(directory))
                result.AddError("--vault must not be empty.");
        });
        command.SetAction((parseResult, cancellationToken) => RunAsync(io, target.Resolve(parseResult),
            parseResult.GetRequiredValue(subject), parseResult.GetRequiredValue(reason), parseResult.GetRequiredValue(by),
            parseResult.GetValue(vault), parseResult.GetValue(key), parseResult.GetValue(json), cancellationToken));
        return command;
    }

    private static Option<string> NonEmpty(Option<string> option)
    {
        option.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
                result.AddError($"{option.Name} must not be empty.");
        });
        return option;
    }

    private static async Task<int> RunAsync(CliOutput io, TrailTarget target, string subject, string reason, string by, string? vault, string? keyPath,
        bool json, CancellationToken cancellationToken)
    {
        if (target.Path is null && vault is null)
        {
            io.Fail($"{target.Display}: erasing on a PostgreSQL trail needs --vault DIR, the vault folder the application seals into " +
                "(PostgreSQL keeps no keys). Stop the application's writer first: a vault has one writer.");
            return ExitCodes.UsageError;
        }

        byte[] commitmentKey;
        byte[]? hmacKey;
        try
        {
            commitmentKey = LoadKey(keyPath, CommitmentKeyVariable, "--commitment-key", ErasureOptions.MinimumKeyLength)
                ?? throw new KeyException($"no commitment key: pass --commitment-key FILE or set ${CommitmentKeyVariable} (base64).");
            hmacKey = LoadKey(null, HmacKeyVariable, null, 32);
        }
        catch (KeyException e)
        {
            io.Fail(e.Message);
            return ExitCodes.CheckpointInvalid;
        }

        SubjectErasureResult result;
        try
        {
            var options = new AuditTrailOptions { HmacKey = hmacKey, Erasure = new ErasureOptions { CommitmentKey = commitmentKey, VaultDirectory = vault } };
            await using var trail = await target.OpenForWritingAsync(options, cancellationToken);
            result = await trail.EraseSubjectAsync(subject, reason, by, cancellationToken);
        }
        catch (SubjectUnderLegalHoldException held)
        {
            if (json)
                JsonOutput.WriteLine(io.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("outcome", "refused");
                    w.WriteStartArray("holds");
                    foreach (var hold in held.HoldIds)
                        w.WriteStringValue(hold);
                    w.WriteEndArray();
                    w.WriteString("message", held.Message);
                    w.WriteEndObject();
                });
            io.Fail(held.Message);
            return ExitCodes.Refused;
        }
        catch (Exception exception) when (target.Describe(exception) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        if (json)
        {
            JsonOutput.WriteLine(io.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("outcome", SnakeCase.From(result.Outcome));
                w.WriteString("subject", result.SubjectPseudonym);
                if (result.Record is { } record)
                    w.WriteNumber("sequence", record.Sequence);
                else
                    w.WriteNull("sequence");
                w.WriteNumber("keysDestroyed", result.KeysDestroyed);
                w.WriteNumber("sealedValues", result.SealedValues);
                w.WriteNumber("records", result.Records);
                w.WriteString("message", result.Message);
                w.WriteEndObject();
            });
        }
        else
        {
            io.Out.WriteLine(result.Message);
        }
        return ExitCodes.Success;
    }

    // A key from a file (base64 text) or an environment variable (base64); null when neither is given.
    private static byte[]? LoadKey(string? file, string variable, string? option, int minimum)
    {
        string text;
        string origin;
        if (file is not null)
        {
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KeyException($"{option} {file}: {e.Message}");
            }
            origin = $"{option} {file}";
        }
        else if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
        {
            text = fromEnvironment;
            origin = "$" + variable;
        }
        else
        {
            return null;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new KeyException($"the key in {origin} is not base64.");
        }
        return key.Length >= minimum ? key : throw new KeyException($"the key in {origin} has {key.Length} bytes; at least {minimum} are required.");
    }

    private sealed class KeyException(string message) : Exception(message);
}
