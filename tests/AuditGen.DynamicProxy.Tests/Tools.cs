using System.ComponentModel;

namespace AuditGen.DynamicProxy.Tests;

public sealed record Patient(string Mrn, string Name);

public interface IPatientApi
{
    [Description("Looks up a patient.")]
    Task<Patient> LookupPatientAsync(string mrn, CancellationToken cancellationToken = default);

    string Ping(string ward);

    string Greeting { get; }
}

/// <summary>A vendor client: no AuditGen attributes anywhere.</summary>
public sealed class VendorPatientApi : IPatientApi
{
    public const string KnownMrn = "MRN-2201";
    public int Calls;

    public string Greeting => "hello";

    public async Task<Patient> LookupPatientAsync(string mrn, CancellationToken cancellationToken = default)
    {
        Calls++;
        await Task.Yield();
        return mrn == KnownMrn ? new Patient(mrn, "Grace Hopper") : throw new KeyNotFoundException($"No patient {mrn}");
    }

    public string Ping(string ward)
    {
        Calls++;
        return "pong " + ward;
    }
}

/// <summary>Every awaitable shape, each written both as an async method and as a plain method returning the task.</summary>
public interface IShapes
{
    Task PlainTask(string ward);
    Task AsyncTask(string ward);
    Task<int> PlainTaskOfT(string ward);
    Task<int> AsyncTaskOfT(string ward);
    ValueTask PlainValueTask(string ward);
    ValueTask AsyncValueTask(string ward);
    ValueTask<int> PlainValueTaskOfT(string ward);
    ValueTask<int> AsyncValueTaskOfT(string ward);
    int Sync(string ward);
    void SyncVoid(string ward);
    T Echo<T>(T value);
}

public sealed class Shapes(bool fail = false, bool failSynchronously = false) : IShapes
{
    public int Calls;

    private void Enter(string ward)
    {
        Calls++;
        if (fail && failSynchronously)
            throw new InvalidOperationException($"ward {ward} is closed");
    }

    private Exception Failure(string ward) => new InvalidOperationException($"ward {ward} is closed");

    [AuditedTool(Classification = DataClass.Internal)]
    public Task PlainTask(string ward) { Enter(ward); return fail ? Task.FromException(Failure(ward)) : Task.CompletedTask; }

    [AuditedTool(Classification = DataClass.Internal)]
    public async Task AsyncTask(string ward) { Enter(ward); await Task.Yield(); if (fail) throw Failure(ward); }

    [AuditedTool(Classification = DataClass.Internal)]
    public Task<int> PlainTaskOfT(string ward) { Enter(ward); return fail ? Task.FromException<int>(Failure(ward)) : Task.FromResult(ward.Length); }

    [AuditedTool(Classification = DataClass.Internal)]
    public async Task<int> AsyncTaskOfT(string ward) { Enter(ward); await Task.Yield(); return fail ? throw Failure(ward) : ward.Length; }

    [AuditedTool(Classification = DataClass.Internal)]
    public ValueTask PlainValueTask(string ward) { Enter(ward); return fail ? ValueTask.FromException(Failure(ward)) : ValueTask.CompletedTask; }

    [AuditedTool(Classification = DataClass.Internal)]
    public async ValueTask AsyncValueTask(string ward) { Enter(ward); await Task.Yield(); if (fail) throw Failure(ward); }

    [AuditedTool(Classification = DataClass.Internal)]
    public ValueTask<int> PlainValueTaskOfT(string ward) { Enter(ward); return fail ? ValueTask.FromException<int>(Failure(ward)) : ValueTask.FromResult(ward.Length); }

    [AuditedTool(Classification = DataClass.Internal)]
    public async ValueTask<int> AsyncValueTaskOfT(string ward) { Enter(ward); await Task.Yield(); return fail ? throw Failure(ward) : ward.Length; }

    [AuditedTool(Classification = DataClass.Internal)]
    public int Sync(string ward) { Enter(ward); return fail ? throw Failure(ward) : ward.Length; }

    [AuditedTool(Classification = DataClass.Internal)]
    public void SyncVoid(string ward) { Enter(ward); if (fail) throw Failure(ward); }

    [AuditedTool(Classification = DataClass.Internal)]
    public T Echo<T>(T value) { Calls++; return value; }
}

/// <summary>A class proxied directly: virtual tools are audited around the base implementation.</summary>
public class Pharmacy(string site)
{
    public string Site { get; } = site;

    [AuditedTool(ResourceType = "Prescription", Domains = ComplianceDomain.Hipaa)]
    public virtual string Refill([DataClassification(DataClass.Restricted)][SubjectId][Redact(RedactionStrategy.Hmac)] string mrn, int quantity) =>
        $"{Site}: {quantity} sent";

    public virtual string Hours() => "9-5";
}

public class SealedTool
{
    [AuditedTool]
    public string NotVirtual(string value) => value;
}

public interface IBadShape
{
    bool TryFind(string key, out string value);
}

public sealed class BadShape : IBadShape
{
    [AuditedTool]
    public bool TryFind(string key, out string value)
    {
        value = key;
        return true;
    }
}

public sealed record Referral(string Mrn, string Reason, string Department);

/// <summary>A vendor interface taking an object argument; its classified properties are given by the map.</summary>
public interface IReferralApi
{
    string Refer(Referral referral);
}

public sealed class VendorReferralApi : IReferralApi
{
    public string Refer(Referral referral) => $"referred to {referral.Department}";
}
