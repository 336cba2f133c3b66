using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>A server over a throwaway database, and devices (SQLite files) of one user against it.</summary>
public sealed class Devices : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<HttpSyncTransport> _transports = [];

    /// <summary>The timing wrapper of each device opened, in order.</summary>
    public List<TimedTransport> Timings { get; } = [];
    private readonly string _folder = Directory.CreateTempSubdirectory("framelord-bench-").FullName;
    private int _count;

    private Devices(TestDatabase? database, TestServer? server, Uri address)
    {
        Database = database;
        Server = server;
        Address = address;
    }

    public TestDatabase? Database { get; }

    /// <summary>The in-process server, or null when the server runs in a process of its own.</summary>
    public TestServer? Server { get; }

    public Uri Address { get; }

    /// <summary>Devices against a server already running elsewhere (see <c>serve</c> in Program.cs).</summary>
    public static Devices Connect(Uri address) => new(null, null, address);

    public static async Task<Devices> StartAsync(Backend backend)
    {
        var database = await TestDatabase.CreateAsync(backend);
        var server = await TestServer.StartAsync(database, new Dictionary<string, string> { ["Limits:RequestsPerMinute"] = "1000000" });
        return new Devices(database, server, server.BaseAddress);
    }

    /// <summary>A new user with two devices: A signed up, B logged in.</summary>
    public async Task<(SyncClient A, SyncClient B)> PairAsync(TimeSpan? debounce = null)
    {
        var email = $"bench-{Guid.NewGuid():N}@example.com";
        var a = await OpenAsync(debounce);
        await a.SignupAsync(email, "correct horse battery", "Bench");
        var b = await OpenAsync(debounce);
        await b.LoginAsync(email, "correct horse battery");
        return (a, b);
    }

    public async Task<SyncClient> OpenAsync(TimeSpan? debounce = null)
    {
        var transport = new HttpSyncTransport(new HttpSyncTransportOptions { ServerUri = Address });
        _transports.Add(transport);
        var timed = new TimedTransport(transport);
        Timings.Add(timed);
        var client = await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = Path.Combine(_folder, $"device{++_count}.db"),
            Transport = timed,
            Random = new Random(_count),
            DebounceDelay = debounce ?? TimeSpan.FromSeconds(2),
            MaxDebounceDelay = debounce is { } d ? d * 5 : TimeSpan.FromSeconds(10),
        });
        _owned.Add(client);
        return client;
    }

    /// <summary>10,000 creates of contacts, tasks and notes (6,000 / 3,000 / 1,000), made offline.</summary>
    public static async Task WriteOfflineAsync(SyncClient device, int count = 10_000)
    {
        for (var i = 0; i < count; i++)
        {
            _ = (i % 10) switch
            {
                < 6 => (object)await device.Contacts.CreateAsync(new Contact { Name = $"Contact {i}", Email = $"c{i}@example.com", Tags = ["bench"] }),
                < 9 => await device.Tasks.CreateAsync(new TaskItem { Title = $"Task {i}", Status = "open" }),
                _ => await device.Notes.CreateAsync(new Note { Title = $"Note {i}" }),
            };
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        foreach (var transport in _transports)
        {
            transport.Dispose();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system to clean.
        }
    }
}
