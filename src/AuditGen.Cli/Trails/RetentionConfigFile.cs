using AuditGen.Retention;
using Microsoft.Extensions.Configuration;

namespace AuditGen.Cli.Trails;

/// <summary>
/// Reads the retention configuration of <c>--config</c>: the application's JSON settings file, whose
/// <c>&lt;section&gt;:Retention</c> block (default <c>AuditTrail:Retention</c>) is read as strictly as the host reads it.
/// Without a file, the built-in policies apply.
/// </summary>
internal static class RetentionConfigFile
{
    /// <exception cref="RetentionConfigurationException">The file is unreadable or its retention block is invalid.</exception>
    public static RetentionPolicySet Read(string? path, string section)
    {
        if (path is null)
            return RetentionPolicySet.Defaults;
        if (!File.Exists(path))
            throw new RetentionConfigurationException([$"--config: the settings file {path} does not exist."]);
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new RetentionConfigurationException([$"--config: {path} cannot be read as JSON settings: {e.Message.ReplaceLineEndings(" ")}"]);
        }
        var block = configuration.GetSection(section).GetSection("Retention");
        if (!block.Exists())
            throw new RetentionConfigurationException([$"--config: {path} has no '{section}:Retention' block; without one, omit --config to use the built-in policies."]);
        return RetentionPolicySet.Create(RetentionOptions.FromConfiguration(block));
    }
}
