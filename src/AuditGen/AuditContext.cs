namespace AuditGen;

/// <summary>
/// Ambient facts every record made inside a scope carries: conversation, user, actor and agent. Flows with
/// <see cref="AsyncLocal{T}"/> across awaits, so concurrent conversations never mix.
/// </summary>
/// <example><code>
/// using (AuditContext.Begin(conversationId: "c-42", userId: "dr.house", agentName: "triage"))
/// {
///     await tools.LookupPatientAsync("MRN-1");
/// }
/// </code></example>
public sealed record AuditContext
{
    private static readonly AsyncLocal<AuditContext?> CurrentContext = new();

    /// <summary>The context of the current async flow, or <see langword="null"/>.</summary>
    public static AuditContext? Current => CurrentContext.Value;

    /// <summary>The conversation id.</summary>
    public string? ConversationId { get; init; }
    /// <summary>The user on whose behalf the agent acts.</summary>
    public string? UserId { get; init; }
    /// <summary>The actor id (defaults to the agent name, then the user).</summary>
    public string? ActorId { get; init; }
    /// <summary>The actor type.</summary>
    public ActorType ActorType { get; init; } = ActorType.Agent;
    /// <summary>The agent's name.</summary>
    public string? AgentName { get; init; }
    /// <summary>
    /// The model's id for the tool call in progress (<c>FunctionCallContent.CallId</c>), set around one tool call by the
    /// Microsoft.Extensions.AI adapters. Tool records made inside carry it as <c>details.toolCallId</c>.
    /// </summary>
    public string? ToolCallId { get; init; }
    /// <summary>
    /// The data subject (patient, customer) the work in this scope is about, as its raw identifier. Never recorded as
    /// is: it only selects the subject's key for <see cref="RedactionStrategy.Seal"/>ed values (and the records carry its
    /// keyed pseudonym), for tools without a <c>[SubjectId]</c> parameter and for conversations. Inherited by nested scopes.
    /// </summary>
    public string? SubjectId { get; init; }

    /// <summary>Makes <paramref name="context"/> current until the returned scope is disposed; the previous context is restored then.</summary>
    public static IDisposable Begin(AuditContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scope = new Scope(CurrentContext.Value);
        CurrentContext.Value = context;
        return scope;
    }

    /// <summary>Begins a scope from the given facts; unspecified facts are inherited from the current context.</summary>
    public static IDisposable Begin(string? conversationId = null, string? userId = null, string? agentName = null, string? actorId = null, ActorType? actorType = null)
    {
        var outer = Current;
        return Begin(new AuditContext
        {
            ConversationId = conversationId ?? outer?.ConversationId,
            UserId = userId ?? outer?.UserId,
            AgentName = agentName ?? outer?.AgentName,
            ActorId = actorId ?? outer?.ActorId,
            ActorType = actorType ?? outer?.ActorType ?? ActorType.Agent,
            SubjectId = outer?.SubjectId,
        });
    }

    /// <summary>Makes the current context, with <paramref name="subjectId"/> as its <see cref="SubjectId"/>, current until the returned scope is disposed.</summary>
    public static IDisposable BeginSubject(string subjectId)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectId);
        return Begin((Current ?? new AuditContext()) with { SubjectId = subjectId });
    }

    /// <summary>Makes the current context, with <paramref name="toolCallId"/> as its <see cref="ToolCallId"/>, current until the returned scope is disposed.</summary>
    public static IDisposable BeginToolCall(string? toolCallId) =>
        Begin((Current ?? new AuditContext()) with { ToolCallId = toolCallId });

    private sealed class Scope(AuditContext? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            CurrentContext.Value = previous;
        }
    }
}
