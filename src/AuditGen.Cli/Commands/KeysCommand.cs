using System.CommandLine;
using AuditGen.Cli.Output;
using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen keys generate --name NAME --out FILE</c>: a fresh Ed25519 signer key in the sumdb/note text form, written to
/// FILE (owner-only permissions, never overwritten), its verifier key to FILE.pub and to the output.
/// </summary>
internal static class KeysCommand
{
    public static Command Create(CliOutput io)
    {
        var name = new Option<string>("--name") { Description = "The key's name, conventionally the log's origin (e.g. audit.example.com/clinic).", HelpName = "name", Required = true };
        var output = new Option<string>("--out") { Description = "File to write the signer key to (FILE.pub gets the verifier key).", HelpName = "file", Required = true };
        var generate = new Command("generate", "Generate an Ed25519 checkpoint signing key. Exit 0: written; 2: bad name or the file exists.")
        {
            name, output,
        };
        generate.SetAction(parseResult => Generate(io, parseResult.GetRequiredValue(name), parseResult.GetRequiredValue(output)));
        return new Command("keys", "Manage checkpoint signing keys.") { generate };
    }

    private static int Generate(CliOutput io, string name, string path)
    {
        if (!NoteKeys.IsValidName(name))
        {
            io.Fail($"--name '{name}' is not a valid key name: it must be non-empty, without whitespace or '+'.");
            return ExitCodes.UsageError;
        }
        if (File.Exists(path) || File.Exists(path + ".pub"))
        {
            io.Fail($"{path} (or {path}.pub) already exists; refusing to overwrite a key.");
            return ExitCodes.UsageError;
        }

        var (signerKey, verifierKey) = NoteKeys.Generate(name);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options))
                writer.WriteLine(signerKey);
            File.WriteAllText(path + ".pub", verifierKey + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            io.Fail($"cannot write {path}: {e.Message}");
            return ExitCodes.UsageError;
        }
        io.Out.WriteLine($"Signer key: {path} (keep it secret; give it to the trail as CheckpointOptions.SigningKeyPath)");
        io.Out.WriteLine($"Verifier key: {verifierKey}");
        io.Out.WriteLine($"Written to: {path}.pub");
        return ExitCodes.Success;
    }
}
