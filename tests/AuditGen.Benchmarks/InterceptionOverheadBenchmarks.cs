using AuditGen.DynamicProxy;
using AuditGen.Extensions.AI;
using BenchmarkDotNet.Attributes;
using Castle.DynamicProxy;
using Microsoft.Extensions.AI;

namespace AuditGen.Benchmarks;

/// <summary>
/// Per-call cost of one tool call on each audit path, fail-open, against a trail that discards entries: direct, the
/// generated wrapper, the Castle DynamicProxy interceptor, and the <see cref="AuditingFunction"/> decorator (with the
/// unaudited paths beside them, so the audit's own share is visible). Two shapes: <c>find_ward(ward, floor)</c> (no
/// HMAC) and <c>find_patient_ward(mrn, floor)</c> (the MRN HMAC-redacted, as PHI is).
/// </summary>
[MemoryDiagnoser]
public class InterceptionOverheadBenchmarks
{
    private static readonly ProxyGenerator Generator = new();

    private readonly InterceptionTools _direct = new();
    private IInterceptionTools _directInterface = null!;
    private AuditedInterceptionTools _generated = null!;
    private IInterceptionTools _castlePassThrough = null!;
    private IInterceptionTools _castleAudited = null!;
    private AIFunction _function = null!;
    private AIFunction _auditedFunction = null!;
    private AIFunction _patientFunction = null!;
    private AIFunction _auditedPatientFunction = null!;
    private AIFunctionArguments _arguments = null!;
    private AIFunctionArguments _patientArguments = null!;

    [GlobalSetup]
    public void Setup()
    {
        var trail = new DiscardingAuditTrail(new AuditTrailOptions { HmacKey = new byte[32], FailurePolicy = AuditFailurePolicy.FailOpen });
        _directInterface = _direct;
        _generated = new AuditedInterceptionTools(_direct, trail);
        _castlePassThrough = Generator.CreateInterfaceProxyWithTarget<IInterceptionTools>(_direct, new PassThrough());
        _castleAudited = AuditProxy.Create<IInterceptionTools>(_direct, trail);
        _function = AIFunctionFactory.Create(_direct.FindWard, "find_ward");
        _auditedFunction = _function.WithAuditing(trail);
        _patientFunction = AIFunctionFactory.Create(_direct.FindPatientWard, "find_patient_ward");
        _auditedPatientFunction = _patientFunction.WithAuditing(trail);
        _arguments = new AIFunctionArguments { ["ward"] = "north-3", ["floor"] = 3 };
        _patientArguments = new AIFunctionArguments { ["mrn"] = "MRN-0042", ["floor"] = 3 };
    }

    [Benchmark(Baseline = true)]
    public string Direct() => _directInterface.FindWard("north-3", 3);

    [Benchmark]
    public string GeneratedWrapper() => _generated.FindWard("north-3", 3);

    [Benchmark]
    public string CastlePassThrough() => _castlePassThrough.FindWard("north-3", 3);

    [Benchmark]
    public string CastleAudited() => _castleAudited.FindWard("north-3", 3);

    [Benchmark]
    public ValueTask<object?> AIFunctionUnaudited() => _function.InvokeAsync(_arguments);

    [Benchmark]
    public ValueTask<object?> AuditingFunction() => _auditedFunction.InvokeAsync(_arguments);

    [Benchmark]
    public string GeneratedWrapperHmac() => _generated.FindPatientWard("MRN-0042", 3);

    [Benchmark]
    public string CastleAuditedHmac() => _castleAudited.FindPatientWard("MRN-0042", 3);

    [Benchmark]
    public ValueTask<object?> AIFunctionUnauditedHmacShape() => _patientFunction.InvokeAsync(_patientArguments);

    [Benchmark]
    public ValueTask<object?> AuditingFunctionHmac() => _auditedPatientFunction.InvokeAsync(_patientArguments);

    private sealed class PassThrough : IInterceptor
    {
        public void Intercept(IInvocation invocation) => invocation.Proceed();
    }
}
