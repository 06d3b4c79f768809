using AuditGen.Tests.Support;

namespace AuditGen.Tests.Invocation;

/// <summary>Restricted and classified values never reach a record: not in arguments, results, ids, nor error messages.</summary>
public sealed class RestrictedDataTests
{
    private const string Mrn = "MRN-0042";
    private const string Diagnosis = "Type 2 diabetes mellitus";
    private const string Email = "jane.doe@example.com";

    [Fact]
    public void A_restricted_tools_argument_and_unannotated_result_appear_in_no_field_of_any_entry()
    {
        var trail = TestTrails.Create();

        var result = new AuditedPatientTools(new PatientTools(), trail).ReadDiagnosis(Mrn);

        Assert.Equal(Diagnosis, result);
        Assert.Equal(2, trail.Appended.Count);
        Assert.All(trail.Appended, e =>
        {
            var text = TestTrails.Dump(e);
            Assert.DoesNotContain(Mrn, text);
            Assert.DoesNotContain("0042", text);
            Assert.DoesNotContain(Diagnosis, text);
        });
        Assert.Equal("[erased]", TestTrails.Details(trail.Appended[1]).GetProperty("result").GetString());
    }

    [Fact]
    public void A_restricted_value_quoted_in_an_exception_message_is_scrubbed()
    {
        var trail = TestTrails.Create();
        var inner = new PatientTools { Diagnosis = mrn => throw new KeyNotFoundException($"Patient {mrn.ToLowerInvariant()} has no record; see {Diagnosis}") };

        Assert.Throws<KeyNotFoundException>(() => new AuditedPatientTools(inner, trail).ReadDiagnosis("X-99812"));

        var failed = trail.Appended[^1];
        Assert.Equal("Patient [redacted:mrn] has no record; see Type 2 diabetes mellitus", failed.Error!.Message);
        Assert.All(trail.Appended, e => Assert.DoesNotContain("99812", TestTrails.Dump(e)));
    }

    [Fact]
    public async Task A_confidential_argument_quoted_in_an_exception_message_is_scrubbed()
    {
        var trail = TestTrails.Create();
        var inner = new PatientTools { Lookup = (mrn, _) => throw new InvalidOperationException($"Patient {mrn} not found") };

        await Assert.ThrowsAsync<InvalidOperationException>(() => new AuditedPatientTools(inner, trail).LookupPatientAsync("P-31337", "r"));

        Assert.Equal("Patient [redacted:mrn] not found", trail.Appended[^1].Error!.Message);
    }

    [Fact]
    public async Task Object_argument_properties_and_exception_messages_never_carry_restricted_properties()
    {
        var trail = TestTrails.Create();
        var inner = new PatientTools { UpdateContact = u => throw new ArgumentException($"cannot reach {u.Email} at {u.Phone} for {u.PatientId}") };
        var update = new ContactUpdate("PID-5521", Email, "+44 20 7946 0958", "note");

        await Assert.ThrowsAsync<ArgumentException>(() => new AuditedPatientTools(inner, trail).UpdateContactAsync(update));

        Assert.All(trail.Appended, e =>
        {
            var text = TestTrails.Dump(e);
            Assert.DoesNotContain(Email, text);
            Assert.DoesNotContain("jane.doe", text);
            Assert.DoesNotContain("7946", text); // masked: only the last four digits remain
            Assert.DoesNotContain("PID-5521", text);
        });
        Assert.Equal(
            "cannot reach [redacted:update.Email] at [redacted:update.Phone] for [redacted:update.PatientId]",
            trail.Appended[^1].Error!.Message);
    }

    [Fact]
    public void Classified_values_are_held_only_until_the_call_ends()
    {
        var trail = TestTrails.Create();
        var invocation = ToolInvocation.Start(trail, AuditedPatientTools.ReadDiagnosisTool);
        invocation.Argument(0, Mrn);
        invocation.Invoked();
        invocation.Completed("x");

        var secrets = typeof(ToolInvocation).GetField("_secrets", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
        Assert.Null(secrets.GetValue(invocation));
    }
}
