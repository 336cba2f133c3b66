namespace FrameLord.Sync.Crdt.Events;

/// <summary>What happened to a map key in a transaction.</summary>
public enum YMapChangeAction
{
    /// <summary>The key was added.</summary>
    Add,

    /// <summary>The key's value was replaced.</summary>
    Update,

    /// <summary>The key was deleted.</summary>
    Delete,
}
