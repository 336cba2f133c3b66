using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

/// <summary>
/// Mutated requests against every JSON endpoint: whatever a hostile client sends gets a documented
/// status in the error shape, never a 500, and the server keeps answering. Seeded; the seed and the
/// body are in the failure message.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Sqlite);
        // The mutated logins all fail for one email; the per-email lock (tested in AuthAbuseTests) would
        // answer them with 429 before they reach the parsing this test is about.
        _server = await TestServer.StartAsync(_db, new Dictionary<string, string>
        {
            ["Limits:RequestsPerMinute"] = "100000",
            ["Limits:FailedLoginsPerEmail"] = "100000",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static readonly (string Path, string Body)[] Seeds =
    [
        ("/api/v1/sync/push", """{"device_id":"d","schema_version":"1","changes":[{"change_id":"c1","entity_type":"contact","entity_id":"e1","operation":"update","data":{"name":"x","tags":["a"],"n":{"k":1}},"client_timestamp":"2025-12-05T10:30:00Z","sync_version":2,"base_version":1}]}"""),
        ("/api/v1/sync/pull", """{"device_id":"d","schema_version":"1","cursor":null,"limit":10,"last_sync_timestamp":"2025-12-05T10:30:00Z"}"""),
        ("/api/v1/sync/conflicts/cfl_1/resolve", """{"choice":"merged","data":{"email":"a@b"},"device_id":"d"}"""),
        ("/api/v1/notes/n1/sync", """{"yjs_updates":"AQEDAAQBAXQBYQA=","state_vector":"AA==","sync_version":1}"""),
        ("/api/v1/auth/login", """{"email":"x@y.z","password":"whatever1"}"""),
    ];

    private static readonly JsonNode?[] Replacements =
    [
        null, JsonValue.Create(""), JsonValue.Create(-1), JsonValue.Create(long.MaxValue), JsonValue.Create(1e308), JsonValue.Create(true),
        JsonValue.Create(new string('z', 5000)), JsonValue.Create("delete"), JsonValue.Create("contact"), JsonValue.Create("AAAA"),
        JsonValue.Create("////"), new JsonArray(), new JsonObject(), new JsonArray(JsonValue.Create(1), null), JsonValue.Create("2025-13-45T99:99:99Z"),
    ];

    [Fact]
    public async Task MutatedRequests_NeverGetA500()
    {
        var client = _server.Client((await _server.SignupAsync()).AccessToken);
        var allowed = new[] { 200, 201, 400, 401, 404, 409, 413, 415, 426 };
        for (var seed = 0; seed < 1200; seed++)
        {
            var random = new Random(seed);
            var (path, body) = Seeds[seed % Seeds.Length];
            var mutated = Mutate(body, random);
            using var response = await client.PostAsync(path, new StringContent(mutated, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(allowed.Contains((int)response.StatusCode), $"seed {seed}: {(int)response.StatusCode} {text} for {path} {mutated}");
            if ((int)response.StatusCode >= 400)
            {
                Assert.StartsWith("""{"error":{"code":""", text, StringComparison.Ordinal);
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    private static string Mutate(string body, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                // Cut the text anywhere.
                return body[..random.Next(body.Length)];
            case 1:
                // Flip one character.
                var chars = body.ToCharArray();
                const string Noise = "{}[]\",:0\\ax\u0000";
                chars[random.Next(chars.Length)] = Noise[random.Next(Noise.Length)];
                return new string(chars);
            default:
                // Replace a random value somewhere in the tree, one or more times.
                var root = JsonNode.Parse(body)!;
                for (var i = 0; i <= random.Next(3); i++)
                {
                    Replace(root, random);
                }

                return root.ToJsonString();
        }
    }

    private static void Replace(JsonNode node, Random random)
    {
        while (true)
        {
            var children = node switch
            {
                JsonObject o => o.Select(kv => (Key: (object)kv.Key, Value: kv.Value)).ToList(),
                JsonArray a => a.Select((v, i) => (Key: (object)i, Value: v)).ToList(),
                _ => [],
            };
            if (children.Count == 0)
            {
                return;
            }

            var (key, value) = children[random.Next(children.Count)];
            if (value is (JsonObject or JsonArray) && random.Next(2) == 0)
            {
                node = value;
                continue;
            }

            var replacement = Replacements[random.Next(Replacements.Length)]?.DeepClone();
            if (node is JsonObject obj)
            {
                obj[(string)key] = replacement;
            }
            else
            {
                ((JsonArray)node)[(int)key] = replacement;
            }

            return;
        }
    }
}
