using FrameLord.Sync.Client;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>
/// A deterministic multi-device simulation of the real engine: the server's sync and document services
/// over SQLite, and real SDK clients with their own SQLite files, talking through an in-memory network
/// on a virtual clock, one step at a time on one thread. The same options give the same trace hash.
/// </summary>
public sealed partial class Simulator : IAsyncDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 7, 0, 0, TimeSpan.Zero);
    private const int AwakeFromHour = 8;
    private const int AwakeToHour = 20;

    private readonly SimulationOptions _options;
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly string _folder;
    private readonly bool _ownsFolder;
    private readonly TraceLog _trace;
    private readonly Ledger _ledger = new();
    private readonly SimNetwork _network;
    private readonly SimServer _server;
    private readonly Workload _workload;
    private readonly Random _faults;
    private readonly Random _connectivity;
    private readonly Random _resolutions;
    private readonly List<SimDevice> _devices = [];
    private readonly Sabotage? _sabotage;
    private AuthResponse _account = null!;
    private int _offlinePeriods;
    private int _resolutionCount;

    private Simulator(SimulationOptions options, TextWriter? traceSink)
    {
        options.Validate();
        _options = options;
        _ownsFolder = options.WorkFolder is null;
        _folder = options.WorkFolder ?? Directory.CreateTempSubdirectory("framelord-sim-").FullName;
        Directory.CreateDirectory(_folder);
        _trace = new TraceLog(_clock, traceSink);
        _faults = new Random(options.Seed * 31 + 1);
        _connectivity = new Random(options.Seed * 31 + 2);
        _resolutions = new Random(options.Seed * 31 + 3);
        _network = new SimNetwork(new Random(options.Seed * 31 + 4), options.Faults, _trace);
        _workload = new Workload(new Random(options.Seed * 31 + 5), _ledger, _trace, options.Documents);
        _sabotage = options.SabotageEveryNthChange > 0 ? new Sabotage(options.SabotageEveryNthChange) : null;
        _server = new SimServer(_folder, new SyncOptions
        {
            ConflictPolicy = options.Policy,
            DocumentCompaction = DocumentCompactionMode.Inline,
            DocumentCompactionUpdates = 50,
        }, _clock, new SeededIdGenerator(options.Seed));
    }

    /// <summary>Runs one simulation and checks its invariants.</summary>
    /// <param name="options">The run's parameters.</param>
    /// <param name="traceSink">Receives every trace event as a line, when given.</param>
    /// <param name="progress">Told the share of simulated time done, from 0 to 1.</param>
    public static async Task<SimulationReport> RunAsync(SimulationOptions options, TextWriter? traceSink = null, IProgress<double>? progress = null)
    {
        await using var simulator = new Simulator(options, traceSink);
        return await simulator.RunCoreAsync(progress);
    }

    /// <summary>
    /// Runs the workload under field LWW and again under entity LWW, and reports the first run with the
    /// count of edits the second silently overwrote.
    /// </summary>
    public static async Task<SimulationReport> RunComparedAsync(SimulationOptions options, TextWriter? traceSink = null, IProgress<double>? progress = null)
    {
        var main = await RunAsync(options, traceSink, progress);
        var other = await RunAsync(options with
        {
            Policy = options.Policy == ConflictPolicy.Field ? ConflictPolicy.Entity : ConflictPolicy.Field,
            WorkFolder = null,
        });
        var entityRun = options.Policy == ConflictPolicy.Entity ? main : other;
        return main with { EntityPolicyOverwritten = entityRun.Overwritten };
    }

    private async Task<SimulationReport> RunCoreAsync(IProgress<double>? progress)
    {
        await _server.StartAsync();
        var user = await _server.CreateUserAsync("sim@example.com");
        _account = new AuthResponse
        {
            UserId = user.UserId,
            ContactZeroId = user.ContactZeroId,
            AccessToken = InMemoryTransport.TokenPrefix + user.UserId,
            ExpiresIn = 3600,
        };
        _trace.Write($"start seed={_options.Seed} devices={_options.Devices} days={_options.Days} policy={_options.Policy} faults={_options.Faults}");

        for (var i = 0; i < _options.Devices; i++)
        {
            var skew = _options.Faults == FaultLevel.All ? TimeSpan.FromSeconds(_faults.Next(-600, 601)) : TimeSpan.Zero;
            var clock = new SkewedTimeProvider(_clock, skew);
            var transport = new InMemoryTransport(() => _server, _network, _ledger, i, _sabotage);
            var device = new SimDevice(i, Path.Combine(_folder, $"device-{i}.db"), clock, transport, _options.Seed);
            await device.OpenAsync(_account);
            _devices.Add(device);
            _trace.Write($"device d{i} skew={skew.TotalSeconds}s");
        }

        var steps = (int)(TimeSpan.FromDays(_options.Days) / _options.Step);
        var awakeSteps = (AwakeToHour - AwakeFromHour) * TimeSpan.FromHours(1) / _options.Step;
        var opsPerStep = _options.OpsPerDay / awakeSteps;
        for (var step = 0; step < steps; step++)
        {
            _clock.Advance(_options.Step);
            await StepAsync(step, opsPerStep);
            if (step % 36 == 0)
            {
                progress?.Report((double)step / steps);
            }
        }

        await HealAsync();
        progress?.Report(1);
        return await CheckAsync();
    }

    private async Task StepAsync(int step, double opsPerStep)
    {
        if (_options.Faults == FaultLevel.All && _faults.NextDouble() < 0.002)
        {
            _trace.Write("server restart");
            await _server.RestartAsync();
        }

        var hour = _clock.GetUtcNow().Hour;
        var awake = hour is >= AwakeFromHour and < AwakeToHour;
        foreach (var device in _devices)
        {
            UpdateConnectivity(device);
            if (_options.Faults == FaultLevel.All && _faults.NextDouble() < 0.003)
            {
                await RestartDeviceAsync(device, "crash");
            }

            if (awake)
            {
                await _workload.StepAsync(device, opsPerStep);
            }

            var online = _network.Online[device.Index];
            if (online && (device.Client.State.PendingChanges > 0 || step % 3 == device.Index % 3))
            {
                await SyncAsync(device);
            }

            if (online && _resolutions.NextDouble() < 0.3)
            {
                await ResolveSomeAsync(device);
            }
        }

        await _network.DeliverDelayedAsync(all: false);
    }

    private void UpdateConnectivity(SimDevice device)
    {
        var now = _clock.GetUtcNow();
        // Going offline: chosen so the device spends about OfflineRate of its time offline, in periods of
        // hours (mostly) to days.
        if (now >= device.OfflineUntil && _options.OfflineRate > 0)
        {
            var longPeriod = _connectivity.NextDouble() < 0.3;
            var hours = longPeriod ? 24 + _connectivity.NextDouble() * 48 : 1 + _connectivity.NextDouble() * 7;
            var meanHours = 0.3 * 48 + 0.7 * 4.5;
            var chance = _options.OfflineRate / (1 - _options.OfflineRate) * _options.Step.TotalHours / meanHours;
            if (_connectivity.NextDouble() < chance)
            {
                device.OfflineUntil = now + TimeSpan.FromHours(hours);
                _offlinePeriods++;
                _trace.Write($"offline d{device.Index} for {hours:F1}h");
            }
        }

        if (_network.FaultsOn && device.PartitionSteps == 0 && _connectivity.NextDouble() < 0.02)
        {
            device.PartitionSteps = 1 + _connectivity.Next(6);
            _trace.Write($"partition d{device.Index} {device.PartitionSteps} steps");
        }

        if (device.PartitionSteps > 0)
        {
            device.PartitionSteps--;
        }

        _network.Online[device.Index] = now >= device.OfflineUntil && device.PartitionSteps == 0;
    }

    private async Task SyncAsync(SimDevice device)
    {
        try
        {
            var result = await device.Client.SyncNowAsync();
            _trace.Write($"sync d{device.Index} pulled={result.Pulled} pushed={result.Pushed} rejected={result.Rejected} conflicts={result.Conflicts}");
        }
        catch (SyncException e)
        {
            _trace.Write($"sync d{device.Index} failed {Describe(e)}");
        }

        if (_network.Crashed.Remove(device.Index))
        {
            await RestartDeviceAsync(device, "crash after commit");
        }
    }

    private static string Describe(SyncException e) => e switch
    {
        SyncTransportException t => $"{t.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "net"}:{t.Code}",
        _ => e.GetType().Name,
    };

    private async Task RestartDeviceAsync(SimDevice device, string why)
    {
        _trace.Write($"restart d{device.Index} ({why})");
        await device.RestartAsync(_account);
    }

    private async Task ResolveSomeAsync(SimDevice device)
    {
        IReadOnlyList<SyncConflict> open;
        try
        {
            open = (await device.Client.GetConflictsAsync()).Where(c => c.NeedsReview && c.Status == ConflictStatuses.Open).ToList();
        }
        catch (SyncException)
        {
            return;
        }

        if (open.Count == 0)
        {
            return;
        }

        var conflict = open[0];
        var keepLocal = _resolutions.NextDouble() < 0.5;
        try
        {
            if (keepLocal)
            {
                await device.Client.KeepLocalAsync(conflict.ConflictId);
            }
            else
            {
                await device.Client.UseRemoteAsync(conflict.ConflictId);
            }

            _resolutionCount++;
            _trace.Write($"resolve d{device.Index} {conflict.EntityId} {(keepLocal ? "keep_local" : "use_remote")}");
        }
        catch (SyncException e)
        {
            _trace.Write($"resolve d{device.Index} failed {Describe(e)}");
        }
    }

    /// <summary>The network heals and every device comes back: late copies arrive, then devices sync until nothing moves.</summary>
    private async Task HealAsync()
    {
        _trace.Write("heal");
        _network.FaultsOn = false;
        await _network.DeliverDelayedAsync(all: true);
        foreach (var device in _devices)
        {
            device.OfflineUntil = _clock.GetUtcNow();
            device.PartitionSteps = 0;
            _network.Online[device.Index] = true;
            _network.Crashed.Remove(device.Index);
        }

        for (var round = 0; round < 20; round++)
        {
            var moved = 0;
            foreach (var device in _devices)
            {
                try
                {
                    var result = await device.Client.SyncNowAsync();
                    moved += result.Pulled + result.Pushed + result.Rejected;
                }
                catch (SyncException e)
                {
                    _trace.Write($"heal d{device.Index} failed {Describe(e)}");
                    moved++;
                }
            }

            _trace.Write($"heal round {round} moved={moved}");
            if (moved == 0 && _devices.All(d => d.Client.State.PendingChanges == 0))
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var device in _devices)
        {
            await device.Client.DisposeAsync();
        }

        await _server.DisposeAsync();
        _trace.Dispose();
        if (_ownsFolder)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the system's temporary-file cleanup.
            }
        }
    }
}
