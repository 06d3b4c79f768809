using static AuditGen.DynamicProxy.Tests.ProxyTestSupport;

namespace AuditGen.DynamicProxy.Tests;

public sealed class InterfaceProxyTests
{
    [Fact]
    public async Task A_mapped_vendor_client_is_audited_with_the_mapped_name_classification_and_pseudonymous_subject()
    {
        var trail = Trail();
        var vendor = new VendorPatientApi();
        var api = AuditProxy.Create<IPatientApi>(vendor, trail, VendorMap());

        using (AuditContext.Begin(conversationId: "c-1", userId: "dr.grey", agentName: "triage"))
            Assert.Equal("Grace Hopper", (await api.LookupPatientAsync(VendorPatientApi.KnownMrn)).Name);

        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], trail.Appended.Select(e => e.Action));
        Assert.All(trail.Appended, e =>
        {
            Assert.Equal("lookup_patient", e.ToolName);
            Assert.Equal("Patient", e.ResourceType);
            Assert.Equal(DataClass.Restricted, e.Classification);
            Assert.Equal(ComplianceDomain.Hipaa, e.Domains);
            Assert.Equal("c-1", e.ConversationId);
            Assert.Equal("dr.grey", e.UserId);
            Assert.StartsWith("hmac:1:", e.SubjectId);
            Assert.DoesNotContain(VendorPatientApi.KnownMrn, e.Details);
            Assert.DoesNotContain("Grace Hopper", e.Details);
        });
        Assert.Equal("data_accessed", Details(trail.Appended[0]).GetProperty("dataAction").GetString());
        Assert.Equal(1, vendor.Calls);
    }

    [Fact]
    public void Methods_that_are_neither_annotated_nor_mapped_pass_through_unrecorded()
    {
        var trail = Trail();
        var api = AuditProxy.Create<IPatientApi>(new VendorPatientApi(), trail, VendorMap());

        Assert.Equal("pong north", api.Ping("north"));
        Assert.Equal("hello", api.Greeting);

        Assert.Empty(trail.Appended);
    }

    [Fact]
    public void Audit_all_methods_records_unmapped_methods_as_internal_tools_but_never_property_accessors()
    {
        var trail = Trail();
        var options = VendorMap();
        options.AuditAllMethods = true;
        var api = AuditProxy.Create<IPatientApi>(new VendorPatientApi(), trail, options);

        api.Ping("north");
        _ = api.Greeting;

        Assert.Equal([("ping", AuditAction.ToolInvoked), ("ping", AuditAction.ToolCompleted)], trail.Appended.Select(e => (e.ToolName, e.Action)));
        Assert.All(trail.Appended, e => Assert.Equal(DataClass.Internal, e.Classification));
        Assert.Equal("north", Details(trail.Appended[0]).GetProperty("arguments").GetProperty("ward").GetString());
        Assert.Equal("pong north", Details(trail.Appended[1]).GetProperty("result").GetString());
    }

    [Fact]
    public async Task A_failed_lookup_is_recorded_with_the_exception_type_and_a_message_scrubbed_of_the_mrn()
    {
        var trail = Trail();
        var api = AuditProxy.Create<IPatientApi>(new VendorPatientApi(), trail, VendorMap());

        await Assert.ThrowsAsync<KeyNotFoundException>(() => api.LookupPatientAsync("MRN-0404"));

        var failed = Assert.Single(trail.Appended, e => e.Action == AuditAction.ToolFailed);
        Assert.Equal(typeof(KeyNotFoundException).FullName, failed.Error!.Type);
        Assert.DoesNotContain("0404", failed.Error.Message);
    }

    [Fact]
    public async Task Concurrent_calls_in_different_audit_contexts_keep_their_own_conversation_across_awaits()
    {
        var trail = Trail();
        var api = AuditProxy.Create<IPatientApi>(new VendorPatientApi(), trail, VendorMap());

        async Task Conversation(string id)
        {
            using var scope = AuditContext.Begin(conversationId: id);
            for (var i = 0; i < 20; i++)
                await api.LookupPatientAsync(VendorPatientApi.KnownMrn);
        }

        await Task.WhenAll(Task.Run(() => Conversation("a")), Task.Run(() => Conversation("b")));

        var byConversation = trail.Appended.GroupBy(e => e.ConversationId).ToDictionary(g => g.Key!, g => g.ToList());
        Assert.Equal(["a", "b"], byConversation.Keys.Order());
        Assert.All(byConversation.Values, records => Assert.Equal(40, records.Count));
        foreach (var (conversation, records) in byConversation)
        {
            var callIds = records.Select(r => Details(r).GetProperty("callId").GetString()).ToList();
            Assert.All(callIds.GroupBy(c => c), pair => Assert.Equal(2, pair.Count()));
        }
    }

    [Fact]
    public async Task The_models_tool_call_id_in_the_audit_context_is_recorded_on_every_record_of_the_call()
    {
        var trail = Trail();
        var api = AuditProxy.Create<IPatientApi>(new VendorPatientApi(), trail, VendorMap());

        using (AuditContext.BeginToolCall("call_77"))
            await api.LookupPatientAsync(VendorPatientApi.KnownMrn);

        Assert.All(trail.Appended, e => Assert.Equal("call_77", Details(e).GetProperty("toolCallId").GetString()));
    }

    [Fact]
    public void A_generic_tool_method_is_audited_for_each_closed_type()
    {
        var trail = Trail();
        var shapes = AuditProxy.Create<IShapes>(new Shapes(), trail);

        Assert.Equal(42, shapes.Echo(42));
        Assert.Equal("x", shapes.Echo("x"));

        var completed = trail.Appended.Where(e => e.Action == AuditAction.ToolCompleted).Select(e => Details(e).GetProperty("result").ToString());
        Assert.Equal(["42", "x"], completed);
    }
}

public sealed class ObjectArgumentMappingTests
{
    [Fact]
    public void Properties_of_an_object_argument_are_classified_by_parameter_dot_property_and_recorded_one_by_one()
    {
        var trail = ProxyTestSupport.Trail();
        var options = new AuditProxyOptions();
        options.Tool("refer").Domains(ComplianceDomain.Hipaa)
            .Classify("referral.Mrn", DataClass.Restricted, RedactionStrategy.Hmac).SubjectId("referral.Mrn")
            .Classify("referral.Reason", DataClass.Restricted);
        var api = AuditProxy.Create<IReferralApi>(new VendorReferralApi(), trail, options);

        Assert.Equal("referred to cardiology", api.Refer(new Referral("MRN-4242", "arrhythmia", "cardiology")));

        var invoked = trail.Appended[0];
        var referral = ProxyTestSupport.Details(invoked).GetProperty("arguments").GetProperty("referral");
        Assert.Equal(invoked.SubjectId, referral.GetProperty("Mrn").GetString());
        Assert.StartsWith("hmac:1:", invoked.SubjectId);
        Assert.Equal("[erased]", referral.GetProperty("Reason").GetString());
        Assert.Equal("cardiology", referral.GetProperty("Department").GetString());
        Assert.Equal(DataClass.Restricted, invoked.Classification);
        Assert.DoesNotContain("MRN-4242", invoked.Details);
        Assert.DoesNotContain("arrhythmia", invoked.Details);
    }

    [Fact]
    public void A_property_path_naming_a_property_the_argument_lacks_is_refused()
    {
        var options = new AuditProxyOptions();
        options.Tool("refer").Classify("referral.PatientId", DataClass.Restricted);

        var error = Assert.Throws<ArgumentException>(() => AuditProxy.Create<IReferralApi>(new VendorReferralApi(), ProxyTestSupport.Trail(), options));

        Assert.Contains("'referral.PatientId'", error.Message);
    }
}
