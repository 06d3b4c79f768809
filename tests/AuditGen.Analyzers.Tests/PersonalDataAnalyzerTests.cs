using AuditGen.Generators.Analyzers;

namespace AuditGen.Analyzers.Tests;

/// <summary>AUDIT002: PHI/PII by name or type, word-aware, one level into arguments; classified values and look-alikes are not reported.</summary>
public class PersonalDataAnalyzerTests
{
    private const string Tool = "[AuditedTool(Domains = ComplianceDomain.Hipaa)]";

    [Theory]
    [InlineData("string {|AUDIT002:email|}")]
    [InlineData("string {|AUDIT002:ssn|}")]
    [InlineData("string {|AUDIT002:socialSecurityNumber|}")]
    [InlineData("DateOnly {|AUDIT002:dateOfBirth|}")]
    [InlineData("DateOnly? {|AUDIT002:dob|}")]
    [InlineData("string {|AUDIT002:mrn|}")]
    [InlineData("string {|AUDIT002:medicalRecordNumber|}")]
    [InlineData("string {|AUDIT002:diagnosis|}")]
    [InlineData("string {|AUDIT002:patientName|}")]
    [InlineData("string {|AUDIT002:patient_name|}")]
    [InlineData("string {|AUDIT002:fullName|}")]
    [InlineData("string {|AUDIT002:patientEmail|}")]
    [InlineData("string {|AUDIT002:EmailAddress|}")]
    [InlineData("string[] {|AUDIT002:phoneNumbers|}")]
    [InlineData("string {|AUDIT002:phoneNo|}")]
    [InlineData("string {|AUDIT002:homeAddress|}")]
    [InlineData("string {|AUDIT002:address2|}")]
    [InlineData("string {|AUDIT002:cardNumber|}")]
    [InlineData("string {|AUDIT002:creditCard|}")]
    [InlineData("string {|AUDIT002:cvv|}")]
    [InlineData("string {|AUDIT002:iban|}")]
    [InlineData("string {|AUDIT002:accountNumber|}")]
    [InlineData("string {|AUDIT002:passport|}")]
    [InlineData("string {|AUDIT002:driversLicense|}")]
    [InlineData("string {|AUDIT002:DRIVERS_LICENSE|}")]
    [InlineData("System.Net.Mail.MailAddress {|AUDIT002:contact|}")]
    public Task A_parameter_that_names_personal_data_is_reported(string parameter)
        => Verify<PersonalDataAnalyzer>.AnalyzerAsync("public partial class T { " + Tool + " public void M(" + parameter + ") { } }");

    [Theory]
    [InlineData("an id of an e-mail template", "string emailTemplateId")]
    [InlineData("an id of an address book", "string addressBookId")]
    [InlineData("a count of e-mails", "int emailCount")]
    [InlineData("a flag about an e-mail", "bool hasEmail")]
    [InlineData("a flag whose name ends in a term", "bool email")]
    [InlineData("a zip file", "string zipFile")]
    [InlineData("a tool name", "string toolName")]
    [InlineData("a name alone", "string name")]
    [InlineData("a cancellation token", "CancellationToken phoneCancellation")]
    [InlineData("a word that contains a term", "string addressee")]
    [InlineData("a word that contains a term at its end", "string webaddressing")]
    public async Task A_look_alike_parameter_is_not_reported(string @case, string parameter)
    {
        _ = @case;
        await Verify<PersonalDataAnalyzer>.AnalyzerAsync("public partial class T { " + Tool + " public void M(" + parameter + ") { } }");
    }

    [Theory]
    [InlineData("our DataClassification", "[DataClassification(DataClass.Restricted)] string email")]
    [InlineData("our DataClassification as Public", "[DataClassification(DataClass.Public)] string email")]
    [InlineData("a Redact strategy alone", "[Redact(RedactionStrategy.Mask)] string cardNumber")]
    [InlineData("a team's own DataClassificationAttribute subclass", "[TeamPii] string email")]
    [InlineData("a team's own subclass of a subclass", "[TeamHealth] string diagnosis")]
    public async Task A_classified_parameter_is_not_reported(string @case, string parameter)
    {
        _ = @case;
        await Verify<PersonalDataAnalyzer>.AnalyzerAsync(
            "public partial class T { " + Tool + " public void M(" + parameter + ") { } }",
            """
            public class TeamPiiAttribute : Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute
            {
                public TeamPiiAttribute() : base(new Microsoft.Extensions.Compliance.Classification.DataClassification("Team", "Pii")) { }
            }
            public class TeamHealthAttribute : TeamPiiAttribute { }
            """);
    }

    [Fact]
    public Task A_method_that_is_not_an_audited_tool_is_not_reported()
        => Verify<PersonalDataAnalyzer>.AnalyzerAsync("public class T { public void M(string email, string ssn) { } }");

    [Fact]
    public Task A_parameter_whose_type_names_personal_data_is_reported()
        => Verify<PersonalDataAnalyzer>.AnalyzerAsync(
            "public sealed class SocialSecurityNumber { } public partial class T { " + Tool + " public void M(SocialSecurityNumber {|AUDIT002:value|}) { } }");

    [Fact]
    public Task Properties_of_a_record_argument_are_reported_at_the_property_once_for_all_tools()
        => Verify<PersonalDataAnalyzer>.AnalyzerAsync(
            "public sealed record Contact(string {|AUDIT002:Email|}, [DataClassification(DataClass.Confidential)] string Phone, string Department)"
            + " { public string {|AUDIT002:HomeAddress|} { get; init; } = \"\"; public string AddressBookId { get; init; } = \"\"; }"
            + " public partial class T { " + Tool + " public void A(Contact contact) { } " + Tool + " public void B(Contact other) { } }");

    [Fact]
    public Task Properties_of_a_classified_argument_are_not_reported()
        => Verify<PersonalDataAnalyzer>.AnalyzerAsync(
            "public sealed record Contact(string Email);"
            + " public partial class T { " + Tool + " public void A([DataClassification(DataClass.Restricted)] Contact contact) { } }");

    [Fact]
    public Task Properties_are_looked_at_one_level_deep_only()
        => Verify<PersonalDataAnalyzer>.AnalyzerAsync(
            "public sealed record Inner(string Email); public sealed record Outer(Inner Details);"
            + " public partial class T { " + Tool + " public void A(Outer outer) { } }");

    [Fact]
    public Task Properties_of_a_type_from_another_assembly_are_not_reported()
        => Verify<PersonalDataAnalyzer>.AnalyzerAsync(
            "public partial class T { " + Tool + " public void A(System.Net.IPEndPoint endpoint) { } }");
}
