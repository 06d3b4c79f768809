using Xunit.Abstractions;
using Xunit.Sdk;

namespace AuditGen.TrailConformance;

/// <summary>
/// A fact that runs unless its test class carries a <see cref="StoreRequirementAttribute"/> whose store is not available,
/// in which case it is reported as skipped with the requirement's reason (xunit 2 decides skips at discovery, per class
/// here, so one abstract suite can be skipped for one store and run for another).
/// </summary>
[XunitTestCaseDiscoverer("AuditGen.TrailConformance.StoreFactDiscoverer", "AuditGen.TrailConformance")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>On a test class: its tests need a store that may be absent (a database server).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public abstract class StoreRequirementAttribute : Attribute
{
    /// <summary>Why the class's tests are skipped, or <see langword="null"/> when the store is available.</summary>
    public abstract string? SkipReason { get; }
}

/// <summary>Discovers <see cref="StoreFactAttribute"/> facts, skipped when the class's store requirement is unmet.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    /// <inheritdoc />
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var type = (testMethod.TestClass.Class as IReflectionTypeInfo)?.Type;
        var reason = type?.GetCustomAttributes(typeof(StoreRequirementAttribute), inherit: true)
            .Cast<StoreRequirementAttribute>().Select(r => r.SkipReason).FirstOrDefault(r => r is not null);
        yield return reason is null
            ? new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod)
            : new SkippedStoreTestCase(diagnosticMessageSink, display, displayOptions, testMethod, reason);
    }
}

/// <summary>A test case reported as skipped with a reason decided at discovery.</summary>
public sealed class SkippedStoreTestCase : XunitTestCase
{
    private string _reason = "";

    /// <summary>For deserialization by the runner.</summary>
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedStoreTestCase() { }

    /// <summary>Creates the skipped case.</summary>
    public SkippedStoreTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method, string reason)
        : base(sink, display, options, method) => _reason = reason;

    /// <inheritdoc />
    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;

    /// <inheritdoc />
    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("StoreSkipReason", _reason);
    }

    /// <inheritdoc />
    public override void Deserialize(IXunitSerializationInfo data)
    {
        _reason = data.GetValue<string>("StoreSkipReason");
        base.Deserialize(data);
    }
}
