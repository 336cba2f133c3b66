using FrameLord.Sync.Client;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>
/// The simulated network between the devices and the server: whether each device is reachable, and,
/// at the <see cref="FaultLevel"/> asked for, requests lost on the way, responses lost on the way back,
/// requests delivered twice, and copies delivered again later (reordered). All decisions come from one
/// seeded random source, in the order the single-threaded simulation asks for them.
/// </summary>
internal sealed class SimNetwork(Random random, FaultLevel faults, TraceLog trace)
{
    private readonly List<(int Device, string Kind, Func<Task> Deliver)> _delayed = [];

    public const double DropRequest = 0.03;
    public const double DropResponse = 0.03;
    public const double Duplicate = 0.03;
    public const double Delay = 0.03;
    public const double CrashAfterCommit = 0.01;

    public bool FaultsOn { get; set; } = faults != FaultLevel.None;

    /// <summary>Per device: reachable or not (offline periods and partitions).</summary>
    public Dictionary<int, bool> Online { get; } = [];

    /// <summary>Devices whose process "crashed" after the server handled a request; the simulator restarts them.</summary>
    public HashSet<int> Crashed { get; } = [];

    public int Dropped { get; private set; }

    public int Duplicated { get; private set; }

    public int Reordered { get; private set; }

    public int DelayedCount => _delayed.Count;

    /// <summary>Sends one request: <paramref name="call"/> runs on the server unless the request is lost.</summary>
    /// <param name="device">The sending device.</param>
    /// <param name="kind">The call's name, for the trace.</param>
    /// <param name="call">The server side of the call.</param>
    /// <param name="replayable">Pushes and document syncs may be delivered twice or late; reads are not worth it.</param>
    public async Task<T> SendAsync<T>(int device, string kind, Func<Task<T>> call, bool replayable)
    {
        if (!Online.GetValueOrDefault(device, true))
        {
            trace.Write($"net d{device} {kind} unreachable");
            throw new SyncTransportException("The server is unreachable (simulated offline).");
        }

        if (FaultsOn && random.NextDouble() < DropRequest)
        {
            Dropped++;
            trace.Write($"net d{device} {kind} request-lost");
            throw new SyncTransportException("The request was lost (simulated).");
        }

        if (FaultsOn && replayable && random.NextDouble() < Delay)
        {
            Reordered++;
            _delayed.Add((device, kind, async () => await call()));
        }

        var result = await call();
        if (FaultsOn && replayable && random.NextDouble() < Duplicate)
        {
            Duplicated++;
            trace.Write($"net d{device} {kind} duplicated");
            result = await call();
        }

        if (FaultsOn && faults == FaultLevel.All && random.NextDouble() < CrashAfterCommit)
        {
            Crashed.Add(device);
            trace.Write($"net d{device} {kind} crash-after-commit");
            throw new SyncTransportException("The device crashed before it read the response (simulated).");
        }

        if (FaultsOn && random.NextDouble() < DropResponse)
        {
            Dropped++;
            trace.Write($"net d{device} {kind} response-lost");
            throw new SyncTransportException("The response was lost (simulated).");
        }

        return result;
    }

    /// <summary>Delivers some of the delayed copies now (all of them when <paramref name="all"/>): late, out of order.</summary>
    public async Task DeliverDelayedAsync(bool all)
    {
        while (_delayed.Count > 0 && (all || random.NextDouble() < 0.3))
        {
            var index = all ? 0 : random.Next(_delayed.Count);
            var (device, kind, deliver) = _delayed[index];
            _delayed.RemoveAt(index);
            trace.Write($"net d{device} {kind} late-delivery");
            try
            {
                await deliver();
            }
            catch (Exception e) when (e is FrameLord.Sync.Server.Engine.ApiException)
            {
                // A late copy the server refuses changes nothing; nobody waits for its answer.
            }

            if (!all)
            {
                break;
            }
        }
    }
}
