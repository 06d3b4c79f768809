using AuditGen.Generators.Analyzers;

namespace AuditGen.Analyzers.Tests;

/// <summary>AUDIT004: classified values flowing unredacted into logs, consoles and traces; redacted and unclassified flows are not reported.</summary>
public class ClassifiedDataLoggingAnalyzerTests
{
    private static string Tool(string body, string extraParameters = "")
        => "public partial class T { private readonly ILogger _logger = null!; [AuditedTool(Domains = ComplianceDomain.Hipaa)] public void M("
           + "[DataClassification(DataClass.Restricted)] string ssn, [DataClassification(DataClass.Internal)] string panel, string note" + extraParameters + ") { "
           + body + " } }";

    [Theory]
    [InlineData("an ILogger extension method", "_logger.LogInformation(\"Looked up {Ssn}\", {|AUDIT004:ssn|});")]
    [InlineData("ILogger.Log", "_logger.Log(LogLevel.Warning, default(EventId), {|AUDIT004:ssn|}, null, (s, e) => s);")]
    [InlineData("a logging scope", "using var scope = _logger.BeginScope({|AUDIT004:ssn|});")]
    [InlineData("an interpolated log message", "_logger.LogWarning($\"ssn {{|AUDIT004:ssn|}} seen\");")]
    [InlineData("a concatenated log message", "_logger.LogError(\"ssn \" + {|AUDIT004:ssn|});")]
    [InlineData("string.Format into a log", "_logger.LogDebug(string.Format(\"ssn {0}\", {|AUDIT004:ssn|}));")]
    [InlineData("Console.WriteLine", "Console.WriteLine({|AUDIT004:ssn|});")]
    [InlineData("Console.Write with an interpolation", "Console.Write($\"x{{|AUDIT004:ssn|}}\");")]
    [InlineData("Console.Error.WriteLine", "Console.Error.WriteLine({|AUDIT004:ssn|});")]
    [InlineData("Debug.WriteLine", "Debug.WriteLine({|AUDIT004:ssn|});")]
    [InlineData("Trace.TraceInformation", "Trace.TraceInformation(\"{0}\", {|AUDIT004:ssn|});")]
    [InlineData("ToString of the value", "Console.WriteLine({|AUDIT004:ssn.ToString()|});")]
    [InlineData("a conditional", "Console.WriteLine(note.Length > 0 ? {|AUDIT004:ssn|} : note);")]
    [InlineData("inside a lambda", "Action a = () => Console.WriteLine({|AUDIT004:ssn|}); a();")]
    [InlineData("a [LoggerMessage] method", "Log.Found(_logger, {|AUDIT004:ssn|});")]
    [InlineData("a LoggerMessage.Define delegate", "Log.Defined(_logger, {|AUDIT004:ssn|}, null);")]
    public async Task A_classified_value_written_to_a_log_is_reported(string @case, string body)
    {
        _ = @case;
        await Verify<ClassifiedDataLoggingAnalyzer>.AnalyzerAsync(Tool(body), LogDefinitions);
    }

    [Theory]
    [InlineData("a redacted value", "_logger.LogInformation(\"Looked up {Ssn}\", LogRedaction.Erase(ssn));")]
    [InlineData("a value passed through a method first", "_logger.LogInformation(\"Looked up {Ssn}\", Mask(ssn));")]
    [InlineData("the length of the value", "Console.WriteLine(ssn.Length);")]
    [InlineData("an Internal value", "_logger.LogInformation(\"Panel {Panel}\", panel);")]
    [InlineData("an unclassified value", "Console.WriteLine(note);")]
    [InlineData("a classified value passed to something that is not a sink", "var copy = string.Concat(ssn, note); _ = copy;")]
    [InlineData("a [LoggerMessage] parameter that is itself classified", "Log.FoundRedacted(_logger, ssn);")]
    [InlineData("a Console.ReadLine", "_ = Console.ReadLine();")]
    public async Task A_redacted_or_unclassified_flow_is_not_reported(string @case, string body)
    {
        _ = @case;
        await Verify<ClassifiedDataLoggingAnalyzer>.AnalyzerAsync(Tool(body) + " public partial class T { private static string Mask(string s) => \"***\"; }", LogDefinitions);
    }

    [Fact]
    public Task A_property_of_a_classified_argument_is_reported_whole()
        => Verify<ClassifiedDataLoggingAnalyzer>.AnalyzerAsync(
            "public sealed record Patient(string Name); public partial class T { [AuditedTool(Domains = ComplianceDomain.Hipaa)] public void M([DataClassification(DataClass.Confidential)] Patient patient) { Console.WriteLine({|AUDIT004:patient.Name|}); } }");

    [Fact]
    public Task A_value_classified_by_a_teams_own_taxonomy_is_reported()
        => Verify<ClassifiedDataLoggingAnalyzer>.AnalyzerAsync(
            """
            public class TeamPiiAttribute : Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute
            {
                public TeamPiiAttribute() : base(new Microsoft.Extensions.Compliance.Classification.DataClassification("Team", "Pii")) { }
            }
            public class T { public void M([TeamPii] string email) { Console.WriteLine({|AUDIT004:email|}); } }
            """);

    private const string LogDefinitions = """
        public static class Log
        {
            public static readonly Action<ILogger, string, Exception?> Defined = LoggerMessage.Define<string>(LogLevel.Information, new EventId(2), "Found {Ssn}");

            [LoggerMessage(1, LogLevel.Information, "Found {Ssn}")]
            public static void Found(ILogger logger, string ssn) { }

            [LoggerMessage(3, LogLevel.Information, "Found {Ssn}")]
            public static void FoundRedacted(ILogger logger, [DataClassification(DataClass.Restricted)] string ssn) { }
        }
        """;
}
