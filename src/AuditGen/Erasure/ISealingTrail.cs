namespace AuditGen.Erasure;

/// <summary>
/// A trail that keeps <see cref="RedactionStrategy.Seal"/>ed values: it has a writable vault and its writer encrypts an
/// entry's sealed values durably before acknowledging the record. A trail without it (a test double, a store without a
/// vault yet) is refused at the start of a call that would seal: it would otherwise drop the values unseen.
/// </summary>
internal interface ISealingTrail
{
    /// <summary>The key schedule sealed values are committed with, or null when this trail cannot seal (and why).</summary>
    SealingKeys? SealingKeys(out string whyNot);
}
