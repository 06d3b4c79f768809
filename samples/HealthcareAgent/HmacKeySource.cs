namespace HealthcareAgent;

/// <summary>
/// Where the HMAC pseudonymisation key comes from: <c>AUDITGEN_HMAC_KEY</c> (base64, at least 32 bytes) or else a
/// random key created once and kept beside the trail (<c>{trail}.hmac.key</c>), so pseudonyms correlate across runs.
/// </summary>
internal static class HmacKeySource
{
    public const string EnvironmentVariable = "AUDITGEN_HMAC_KEY";
    public const int MinimumKeyBytes = 32;

    public static (byte[] Key, string Origin) Load(string trailPath)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return (Decode(fromEnvironment, $"${EnvironmentVariable}"), $"from ${EnvironmentVariable}");

        var keyPath = trailPath + ".hmac.key";
        if (File.Exists(keyPath))
            return (Decode(File.ReadAllText(keyPath), keyPath), $"{keyPath} (existing)");

        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(MinimumKeyBytes);
        using (var file = new FileStream(keyPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(file))
            writer.Write(Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (key, $"{keyPath} (created; keep it secret and with the trail)");
    }

    private static byte[] Decode(string base64, string origin)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The HMAC key in {origin} is not base64.");
        }
        return key.Length >= MinimumKeyBytes
            ? key
            : throw new InvalidOperationException($"The HMAC key in {origin} has {key.Length} bytes; at least {MinimumKeyBytes} are required.");
    }
}
