namespace FrameLord.Sync.Server.Live;

/// <summary>One server-sent event for a user (DESIGN 3.6): <c>changes</c> or <c>doc</c>, with its JSON data.</summary>
internal sealed record LiveEvent(string UserId, string Name, string Data)
{
    /// <summary>Binary data carried between processes with the event (a live socket's update); never sent to event streams.</summary>
    internal byte[]? Payload { get; init; }
}
