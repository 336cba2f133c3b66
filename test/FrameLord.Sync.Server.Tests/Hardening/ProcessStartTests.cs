using System.Net;
using System.Text;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Hardening;

/// <summary>The built server started from another folder, as a published server is, and several processes on one PostgreSQL.</summary>
public sealed class ProcessStartTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("framelord-cwd-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task StartedFromAnotherFolder_TheServerKeepsItsSettings_AndLogsNoLinePerRequest()
    {
        var (server, address) = await ServerProcess.StartAsync(_folder);
        await using (server)
        {
            using var client = new HttpClient { BaseAddress = address };
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
            }

            var signup = await client.PostAsync("/api/v1/auth/signup",
                new StringContent("""{"email":"a@example.com","password":"long enough","display_name":"A"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        }

        var output = server.Output;
        Assert.DoesNotContain(output, line => line.Contains("Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal));
        Assert.DoesNotContain(output, line => line.Contains("Microsoft.AspNetCore.Routing", StringComparison.Ordinal));
        Assert.True(output.Count < 20, "the log has " + output.Count + " lines:\n" + string.Join('\n', output));
        // Data goes where the operator runs it (relative to the working directory), owner-only.
        Assert.True(File.Exists(Path.Combine(_folder, "data", "framelord-sync.db")));
    }

    [Fact]
    public async Task TwoServerProcesses_OnOnePostgresDatabase_AcceptEachOthersTokens()
    {
        var connectionString = await PostgresEnvironment.CreateDatabaseAsync();
        try
        {
            // Different working directories: as on two machines, no key file is shared.
            var first = Directory.CreateDirectory(Path.Combine(_folder, "one")).FullName;
            var second = Directory.CreateDirectory(Path.Combine(_folder, "two")).FullName;
            string[] args = ["--Storage:Provider=postgres", "--Storage:ConnectionString=" + connectionString];
            var (a, addressA) = await ServerProcess.StartAsync(first, args);
            await using (a)
            {
                var (b, addressB) = await ServerProcess.StartAsync(second, args);
                await using (b)
                {
                    using var clientA = new HttpClient { BaseAddress = addressA };
                    var signup = await clientA.PostAsync("/api/v1/auth/signup",
                        new StringContent("""{"email":"a@example.com","password":"long enough","display_name":"A"}""", Encoding.UTF8, "application/json"));
                    Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
                    var token = System.Text.Json.JsonDocument.Parse(await signup.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();

                    using var clientB = new HttpClient { BaseAddress = addressB };
                    clientB.DefaultRequestHeaders.Authorization = new("Bearer", token);
                    var answer = await clientB.GetAsync("/api/v1/sync/conflicts");
                    Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
                }
            }
        }
        finally
        {
            await PostgresEnvironment.DropDatabaseAsync(connectionString);
        }
    }
}
