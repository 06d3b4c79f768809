using System.Linq;
using AuditGen.Generators.Model;
using AuditGen.Generators.Parsing;

namespace AuditGen.Generators.Emit;

/// <summary>Writes the <c>new global::AuditGen.ToolDescriptor(...)</c> expression of a tool (wrapper and manifest share it).</summary>
internal static class DescriptorEmitter
{
    private const string ToolParameter = "global::AuditGen.ToolParameter";

    /// <summary>Writes the expression over several lines; the caller writes what precedes and follows it.</summary>
    public static void Write(SourceWriter writer, ToolSpec tool, string terminator)
    {
        writer.WriteLine("new global::AuditGen.ToolDescriptor(");
        writer.Indent();
        writer.WriteLine("name: " + Formatting.StringLiteral(tool.ToolName) + ",");
        writer.WriteLine("containingType: " + Formatting.StringLiteral(tool.ContainingTypeName) + ",");
        writer.WriteLine("methodName: " + Formatting.StringLiteral(tool.MethodName) + ",");
        writer.WriteLine("description: " + Formatting.StringLiteral(tool.Description) + ",");
        writer.WriteLine("action: " + tool.Action.Expression + ",");
        writer.WriteLine("resourceType: " + Formatting.StringLiteral(tool.ResourceType) + ",");
        writer.WriteLine("classification: " + tool.Classification.Expression + ",");
        writer.WriteLine("domains: " + tool.Domains.Expression + ",");
        writer.WriteLine("failurePolicy: " + tool.FailurePolicy.Expression + ",");
        ParameterSpec[] audited = tool.Parameters.Where(p => !p.IsCancellationToken).ToArray();
        if (audited.Length == 0)
        {
            writer.WriteLine("parameters: global::System.Array.Empty<" + ToolParameter + ">(),");
        }
        else
        {
            writer.WriteLine("parameters: new " + ToolParameter + "[]");
            writer.OpenBlock();
            foreach (ParameterSpec parameter in audited)
            {
                if (parameter.IsObjectArgument)
                {
                    writer.WriteLine(Parameter(parameter.Name, parameter.ManifestTypeName, parameter.Annotations, null));
                    writer.OpenBlock();
                    foreach (PropertySpec property in parameter.ObjectProperties)
                    {
                        writer.WriteLine(Parameter(property.Name, property.ManifestTypeName, property.Annotations, string.Empty) + ",");
                    }

                    writer.CloseBlock("),");
                }
                else
                {
                    writer.WriteLine(Parameter(parameter.Name, parameter.ManifestTypeName, parameter.Annotations, string.Empty) + ",");
                }
            }

            writer.CloseBlock(",");
        }

        ReturnSpec returns = tool.Return;
        if (returns.ManifestTypeName == "void" && !returns.Annotations.HasAny)
        {
            writer.WriteLine("returns: global::AuditGen.ToolReturn.Void)" + terminator);
        }
        else
        {
            writer.WriteLine(
                "returns: new global::AuditGen.ToolReturn(" + Formatting.StringLiteral(returns.ManifestTypeName) + ", "
                + Optional(returns.Annotations.Classification) + ", " + Optional(returns.Annotations.Redaction) + "))" + terminator);
        }

        writer.Unindent();
    }

    /// <summary>
    /// One <c>new ToolParameter(...)</c>. With <paramref name="noProperties"/> empty the expression is complete
    /// (no properties); with null it ends with <c>new ToolParameter[]</c> and the caller writes the properties block.
    /// </summary>
    private static string Parameter(string name, string typeName, DataAnnotations annotations, string? noProperties)
    {
        string head = "new " + ToolParameter + "(" + Formatting.StringLiteral(name) + ", " + Formatting.StringLiteral(typeName) + ", "
            + Optional(annotations.Classification) + ", " + Optional(annotations.Redaction) + ", global::AuditGen.ToolParameterRole." + annotations.Role + ", ";
        return noProperties is null
            ? head + "new " + ToolParameter + "[]"
            : head + "global::System.Array.Empty<" + ToolParameter + ">())";
    }

    private static string Optional(EnumValue? value) => value?.Expression ?? "null";
}
