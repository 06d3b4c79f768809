using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Cli.Trails;

/// <summary>Reads checkpoint and key files given on the command line; every problem becomes a <see cref="CheckpointUnusableException"/>.</summary>
internal static class CheckpointFile
{
    /// <summary>
    /// Reads the signed checkpoint in <paramref name="path"/>, checking its signature with <paramref name="key"/> (a
    /// verifier key, or a file holding one) when given.
    /// </summary>
    public static SignedCheckpoint Read(string path, string? key)
    {
        var verifier = key is null ? null : ReadVerifier(key);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointUnusableException($"cannot read checkpoint {path}: {e.Message}", e);
        }
        try
        {
            return SignedCheckpoint.Parse(text, verifier);
        }
        catch (Exception e) when (e is FormatException or SignedNoteException)
        {
            throw new CheckpointUnusableException($"checkpoint {path} cannot be used: {e.Message}", e);
        }
    }

    /// <summary>A verifier key given as text (<c>name+id+key</c>) or as the path of a file holding it.</summary>
    public static NoteVerifier ReadVerifier(string key)
    {
        var text = key;
        if (File.Exists(key))
        {
            try
            {
                text = File.ReadAllText(key);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CheckpointUnusableException($"cannot read key file {key}: {e.Message}", e);
            }
        }
        try
        {
            return NoteVerifier.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CheckpointUnusableException($"--key is neither a verifier key nor a file holding one: {e.Message}", e);
        }
    }
}

/// <summary>A checkpoint or key given on the command line cannot be used. Maps to <see cref="ExitCodes.CheckpointInvalid"/>.</summary>
internal sealed class CheckpointUnusableException(string message, Exception? inner = null) : Exception(message, inner);
