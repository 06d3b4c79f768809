namespace AuditGen;

/// <summary>What a record says happened. Written snake_case on the wire (see <see cref="AuditWireNames"/>).</summary>
public enum AuditAction
{
    /// <summary>conversation_started</summary>
    ConversationStarted,
    /// <summary>user_message_received</summary>
    UserMessageReceived,
    /// <summary>agent_reasoning</summary>
    AgentReasoning,
    /// <summary>tool_invoked: written before the tool runs.</summary>
    ToolInvoked,
    /// <summary>tool_completed</summary>
    ToolCompleted,
    /// <summary>tool_failed</summary>
    ToolFailed,
    /// <summary>data_accessed</summary>
    DataAccessed,
    /// <summary>data_modified</summary>
    DataModified,
    /// <summary>agent_response_generated</summary>
    AgentResponseGenerated,
    /// <summary>prompt_changed</summary>
    PromptChanged,
    /// <summary>model_changed</summary>
    ModelChanged,
    /// <summary>access_granted</summary>
    AccessGranted,
    /// <summary>access_revoked</summary>
    AccessRevoked,
    /// <summary>audit_log_accessed</summary>
    AuditLogAccessed,
    /// <summary>retention_applied</summary>
    RetentionApplied,
    /// <summary>archive_created</summary>
    ArchiveCreated,
    /// <summary>subject_erased</summary>
    SubjectErased,
    /// <summary>checkpoint_signed</summary>
    CheckpointSigned,
    /// <summary>conversation_ended</summary>
    ConversationEnded,
    /// <summary>error</summary>
    Error,
    /// <summary>legal_hold_placed: a legal hold now keeps the records it covers from retention (details: the hold).</summary>
    LegalHoldPlaced,
    /// <summary>legal_hold_released: a legal hold no longer applies (details: the hold's id, who released it and why).</summary>
    LegalHoldReleased,
    /// <summary>retention_policy_changed: the retention configuration in force from here on (details: the canonical policy set).</summary>
    RetentionPolicyChanged,
}
