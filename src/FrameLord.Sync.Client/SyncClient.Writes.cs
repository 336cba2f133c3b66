using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    internal Task<LocalEntity> WriteAsync(
        string entityType, string entityId, EditKind kind, Func<LocalEntity?, JsonObject>? build, CancellationToken cancellationToken) =>
        _writer.WriteAsync(entityType, entityId, kind, build, cancellationToken);

    private bool IsContactZero(string entityType, string entityId) => _identity.IsContactZero(entityType, entityId);
}
