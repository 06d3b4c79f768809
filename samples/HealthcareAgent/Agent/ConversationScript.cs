namespace HealthcareAgent.Agent;

/// <summary>One conversation the scripted model plays: who talks to which agent, and what the model does each turn.</summary>
/// <param name="Name">Short name; the conversation id is <c>{Name}-{runId}</c>.</param>
/// <param name="UserId">The clinician or patient the agent acts for.</param>
/// <param name="AgentName">The agent's name.</param>
/// <param name="Turns">The user's messages and the model's scripted reactions, in order.</param>
internal sealed record ConversationScript(string Name, string UserId, string AgentName, IReadOnlyList<ScriptedTurn> Turns);

/// <summary>
/// One user message and the model's reaction: zero or more rounds of tool calls (each round is one assistant message,
/// possibly with several calls), then a final answer composed from the tool results it received.
/// </summary>
internal sealed record ScriptedTurn(string UserMessage, IReadOnlyList<IReadOnlyList<ScriptedCall>> Rounds, Func<ToolResults, string> Answer);

/// <summary>A tool call the model requests.</summary>
/// <param name="CallId">The call id, unique within the conversation.</param>
/// <param name="ToolName">The tool's name as exposed to the model.</param>
/// <param name="Arguments">The JSON arguments.</param>
internal sealed record ScriptedCall(string CallId, string ToolName, IReadOnlyDictionary<string, object?> Arguments);
