using System.Net;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

public abstract partial class ApiTests
{
    /// <summary>Reads server-sent events (name, data) from a stream, skipping comments.</summary>
    internal sealed class EventReader(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream);

        public async Task<(string Name, string Data)> NextAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            string? name = null;
            string? data = null;
            while (true)
            {
                var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException();
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
                else if (line.Length == 0 && name is not null)
                {
                    return (name, data ?? "");
                }
            }
        }

        public void Dispose() => _reader.Dispose();
    }

    internal static async Task<EventReader> OpenEventsAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/v1/sync/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventReader(await response.Content.ReadAsStreamAsync());
    }

    [Fact]
    public async Task LiveEvents_TheStreamEnds_WhenTheServerStops()
    {
        await using var own = await TestServer.StartAsync(Server.Database);
        var user = await own.SignupAsync();
        using var events = await OpenEventsAsync(own.Client(user.AccessToken));

        // Without the stream ending, the host waits out its whole shutdown timeout (30 s) for it.
        var lifetime = (Microsoft.Extensions.Hosting.IHostApplicationLifetime)own.Services.GetService(typeof(Microsoft.Extensions.Hosting.IHostApplicationLifetime))!;
        lifetime.StopApplication();
        await Assert.ThrowsAsync<EndOfStreamException>(() => events.NextAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task LiveEvents_AUsersStreamGetsItsChangesAndDocuments_AndNothingOfOthers()
    {
        var alice = await Server.SignupAsync();
        var bob = await Server.SignupAsync();
        using var aliceEvents = await OpenEventsAsync(Server.Client(alice.AccessToken));
        using var bobEvents = await OpenEventsAsync(Server.Client(bob.AccessToken));

        var pushed = await PushOk(Server.Client(alice.AccessToken), PushJson("dev_a", ChangeJson("cnt_1")));
        Assert.Single(pushed.Successful);
        var (name, data) = await aliceEvents.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("changes", name);
        var cursor = System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("cursor").GetString();
        Assert.Empty((await PullOk(Server.Client(alice.AccessToken), cursor)).Changes);

        var doc = new YDoc(new YDocOptions { ClientId = 3 });
        doc.GetText("t").Insert(0, "x");
        await Server.Client(alice.AccessToken).PostAsync("/api/v1/notes/n1/sync",
            JsonBody($$"""{"yjs_updates":"{{Convert.ToBase64String(doc.EncodeStateAsUpdate())}}"}"""));
        (name, data) = await aliceEvents.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("doc", name);
        Assert.Equal("""{"note_id":"n1","sync_version":1}""", data);

        // Bob's stream saw neither; his own push is the first thing it gets.
        await PushOk(Server.Client(bob.AccessToken), PushJson("dev_b", ChangeJson("cnt_b")));
        Assert.Equal("changes", (await bobEvents.NextAsync(TimeSpan.FromSeconds(10))).Name);
    }
}
