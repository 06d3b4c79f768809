using System.Text;

namespace AuditGen.Cli.Output;

/// <summary>Turns PascalCase enum names into the snake_case used on the wire (<c>HashMismatch</c> → <c>hash_mismatch</c>).</summary>
internal static class SnakeCase
{
    public static string From<TEnum>(TEnum value) where TEnum : struct, Enum
    {
        var name = value.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0) builder.Append('_');
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
