using AuditGen.CodeFixes;
using AuditGen.Generators.Analyzers;

namespace AuditGen.Analyzers.Tests;

/// <summary>Each code fix, alone and as fix-all across a document and a project (the testing library checks all three scopes).</summary>
public class CodeFixTests
{
    [Fact]
    public Task AUDIT001_is_fixed_by_adding_AuditedTool_and_the_using()
        => VerifyFix<UnauditedToolAnalyzer, AuditToolCodeFix>.FixAsync(
            """
            using System.ComponentModel;

            public partial class T
            {
                /// <summary>Looks up.</summary>
                [Description("Looks up a patient.")]
                public string {|AUDIT001:Lookup|}(int id) => "";
            }
            """,
            """
            using System.ComponentModel;
            using AuditGen;

            public partial class T
            {
                /// <summary>Looks up.</summary>
                [AuditedTool]
                [Description("Looks up a patient.")]
                public string Lookup(int id) => "";
            }
            """,
            AuditToolCodeFix.AuditKey);

    [Fact]
    public Task AUDIT001_is_fixed_by_an_exemption_whose_empty_justification_AUDIT007_keeps_flagging()
        => VerifyFix<UnauditedToolAnalyzer, AuditToolCodeFix>.FixAsync(
            """
            using AuditGen;

            public partial class T
            {
                [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                public void A() { }

                public void {|AUDIT001:Forgotten|}() { }
            }
            """,
            """
            using AuditGen;

            public partial class T
            {
                [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                public void A() { }

                [NotAudited("")]
                public void Forgotten() { }
            }
            """,
            AuditToolCodeFix.ExemptKey);

    [Fact]
    public Task AUDIT001_fix_all_audits_every_tool_in_every_document_of_the_project()
        => VerifyFix<UnauditedToolAnalyzer, AuditToolCodeFix>.FixAsync(
            [
                "using System.ComponentModel;\nusing AuditGen;\n\npublic class A\n{\n    [Description(\"a\")]\n    public void {|AUDIT001:One|}() { }\n\n    [Description(\"b\")]\n    public void {|AUDIT001:Two|}() { }\n}\n",
                "using System.ComponentModel;\nusing AuditGen;\n\npublic class B\n{\n    [Description(\"c\")]\n    public void {|AUDIT001:Three|}() { }\n}\n",
            ],
            [
                "using System.ComponentModel;\nusing AuditGen;\n\npublic class A\n{\n    [AuditedTool]\n    [Description(\"a\")]\n    public void One() { }\n\n    [AuditedTool]\n    [Description(\"b\")]\n    public void Two() { }\n}\n",
                "using System.ComponentModel;\nusing AuditGen;\n\npublic class B\n{\n    [AuditedTool]\n    [Description(\"c\")]\n    public void Three() { }\n}\n",
            ],
            AuditToolCodeFix.AuditKey);

    [Fact]
    public Task AUDIT002_is_fixed_by_classifying_the_parameter_Restricted_with_HMAC()
        => VerifyFix<PersonalDataAnalyzer, ClassifyPersonalDataCodeFix>.FixAsync(
            """
            using AuditGen;

            public partial class T
            {
                [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                public void M(string {|AUDIT002:email|}, int count) { }
            }
            """,
            """
            using AuditGen;

            public partial class T
            {
                [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                public void M([DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac)] string email, int count) { }
            }
            """);

    [Fact]
    public Task AUDIT002_second_fix_classifies_the_parameter_as_restricted_and_sealed()
        => VerifyFix<PersonalDataAnalyzer, ClassifyPersonalDataCodeFix>.FixAsync(
            "using AuditGen;\n\npublic partial class T\n{\n    [AuditedTool(Domains = ComplianceDomain.Gdpr)]\n    public void M(string {|AUDIT002:diagnosis|}) { }\n}\n",
            "using AuditGen;\n\npublic partial class T\n{\n    [AuditedTool(Domains = ComplianceDomain.Gdpr)]\n    public void M([DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Seal)] string diagnosis) { }\n}\n",
            ClassifyPersonalDataCodeFix.SealKey);

    [Fact]
    public Task AUDIT002_fix_all_classifies_parameters_and_properties_across_the_project()
        => VerifyFix<PersonalDataAnalyzer, ClassifyPersonalDataCodeFix>.FixAsync(
            [
                "using AuditGen;\n\npublic partial class T\n{\n    [AuditedTool(Domains = ComplianceDomain.Hipaa)]\n    public void M(string {|AUDIT002:ssn|}, Contact contact) { }\n}\n",
                "using AuditGen;\n\npublic sealed record Contact(string {|AUDIT002:Email|})\n{\n    public string {|AUDIT002:HomeAddress|} { get; init; } = \"\";\n}\n",
            ],
            [
                "using AuditGen;\n\npublic partial class T\n{\n    [AuditedTool(Domains = ComplianceDomain.Hipaa)]\n    public void M([DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac)] string ssn, Contact contact) { }\n}\n",
                "using AuditGen;\n\npublic sealed record Contact([DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac)] string Email)\n{\n    [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac)]\n    public string HomeAddress { get; init; } = \"\";\n}\n",
            ]);

    [Fact]
    public Task AUDIT003_is_fixed_by_making_the_type_and_its_outer_types_partial_once_for_all_their_tools()
        => VerifyFix<ToolShapeAnalyzer, MakePartialCodeFix>.FixAsync(
            """
            using AuditGen;

            public static class Outer
            {
                internal sealed class T
                {
                    [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                    public void {|AUDIT003:A|}() { }

                    [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                    public void {|AUDIT003:B|}() { }
                }
            }
            """,
            """
            using AuditGen;

            public static partial class Outer
            {
                internal sealed partial class T
                {
                    [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                    public void A() { }

                    [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                    public void B() { }
                }
            }
            """,
            iterations: 1);

    [Fact]
    public Task AUDIT003_on_a_type_without_modifiers_gets_partial_before_the_keyword()
        => VerifyFix<ToolShapeAnalyzer, MakePartialCodeFix>.FixAsync(
            "using AuditGen;\n\nclass T\n{\n    [AuditedTool(Domains = ComplianceDomain.Hipaa)]\n    public void {|AUDIT003:A|}() { }\n}\n",
            "using AuditGen;\n\npartial class T\n{\n    [AuditedTool(Domains = ComplianceDomain.Hipaa)]\n    public void A() { }\n}\n");

    [Fact]
    public Task AUDIT003_for_another_reason_offers_no_fix()
        => VerifyFix<ToolShapeAnalyzer, MakePartialCodeFix>.FixAsync(
            "using AuditGen;\n\npublic partial class T\n{\n    [AuditedTool(Domains = ComplianceDomain.Hipaa)]\n    public void A(ref int {|AUDIT003:a|}) { }\n}\n",
            "using AuditGen;\n\npublic partial class T\n{\n    [AuditedTool(Domains = ComplianceDomain.Hipaa)]\n    public void A(ref int {|AUDIT003:a|}) { }\n}\n");

    [Fact]
    public Task AUDIT004_is_fixed_by_wrapping_each_logged_value_in_the_redactor_in_one_fix_all()
        => VerifyFix<ClassifiedDataLoggingAnalyzer, RedactLoggedValueCodeFix>.FixAsync(
            """
            using System;
            using AuditGen;
            using Microsoft.Extensions.Logging;

            public partial class T(ILogger logger)
            {
                [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                public void M([DataClassification(DataClass.Restricted)] string ssn)
                {
                    logger.LogInformation("Looked up {Ssn}", {|AUDIT004:ssn|});
                    Console.WriteLine($"ssn: {{|AUDIT004:ssn|}}");
                }
            }
            """,
            """
            using System;
            using AuditGen;
            using Microsoft.Extensions.Logging;

            public partial class T(ILogger logger)
            {
                [AuditedTool(Domains = ComplianceDomain.Hipaa)]
                public void M([DataClassification(DataClass.Restricted)] string ssn)
                {
                    logger.LogInformation("Looked up {Ssn}", LogRedaction.Erase(ssn));
                    Console.WriteLine($"ssn: {LogRedaction.Erase(ssn)}");
                }
            }
            """);
}
