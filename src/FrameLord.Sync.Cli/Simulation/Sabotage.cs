using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>
/// A planted server bug, for testing that the simulation's checks catch one: every Nth pushed change is
/// acknowledged to the device but never reaches the engine (and stays lost when it is sent again).
/// </summary>
internal sealed class Sabotage(int everyNth)
{
    private readonly HashSet<(string Device, string ChangeId)> _dropped = [];
    private int _seen;

    public int Dropped => _dropped.Count;

    /// <summary>The request the engine gets, and the changes to acknowledge without it.</summary>
    public (PushRequest Request, IReadOnlyList<Change> Faked) Apply(PushRequest request)
    {
        var kept = new List<Change>();
        var faked = new List<Change>();
        foreach (var change in request.Changes)
        {
            var key = (request.DeviceId, change.ChangeId);
            if (_dropped.Contains(key) || (++_seen % everyNth == 0 && change.Operation != Operations.Delete && _dropped.Add(key)))
            {
                faked.Add(change);
            }
            else
            {
                kept.Add(change);
            }
        }

        return (request with { Changes = kept }, faked);
    }

    public static PushResponse Acknowledge(PushResponse response, IReadOnlyList<Change> faked) => faked.Count == 0
        ? response
        : response with
        {
            Successful = [.. response.Successful, .. faked.Select(c => new ChangeSucceeded
            {
                ChangeId = c.ChangeId,
                EntityType = c.EntityType,
                EntityId = c.EntityId,
                SyncVersion = c.SyncVersion,
            })],
        };
}
