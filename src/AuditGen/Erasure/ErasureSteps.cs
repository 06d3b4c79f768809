namespace AuditGen.Erasure;

/// <summary>
/// The steps of an erasure, named so the crash tests can stop a process (SIGKILL) exactly between them:
/// <c>before-destroy</c> (holds checked, nothing changed), <c>key-destroyed</c> (a seed is zeros on disk, its payloads
/// not yet deleted), <c>payloads-deleted</c> (the vault is done, the <c>subject_erased</c> record not yet appended).
/// </summary>
internal static class ErasureSteps
{
    /// <summary>Called at each step; null outside the crash tests.</summary>
    internal static Action<string>? OnStep { get; set; }

    public static void Reach(string step) => OnStep?.Invoke(step);
}
