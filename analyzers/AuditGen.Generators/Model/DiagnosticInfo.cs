namespace AuditGen.Generators.Model;

/// <summary>An equatable diagnostic: the descriptor's ID, where it points and its message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs)
{
    public static DiagnosticInfo Create(string id, LocationInfo? location, params string[] messageArgs)
        => new(id, location, new EquatableArray<string>(messageArgs));
}
