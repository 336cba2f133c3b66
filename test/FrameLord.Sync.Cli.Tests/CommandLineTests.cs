using System.Net;
using System.Net.Sockets;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Cli.Tests;

/// <summary>Every command line the README shows, through the CLI's real argument parser.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("framelord-cli-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The README's line: <c>serve --urls http://0.0.0.0:8080 --Storage:Provider=postgres --Storage:ConnectionString="…"</c>;
    /// every option must reach the server (it used to listen on localhost:5000 over SQLite whatever was typed).
    /// </summary>
    private async Task ServeAsync(string provider, string connectionString)
    {
        var port = FreePort();
        using var stop = new CancellationTokenSource();
        var run = CliApp.RunAsync(
            ["serve", "--urls", $"http://127.0.0.1:{port}", $"--Storage:Provider={provider}", $"--Storage:ConnectionString={connectionString}",
             "--Auth:SigningKey=" + TestServer.SigningKey],
            stop.Token);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            string? health = null;
            for (var attempt = 0; attempt < 600 && health is null && !run.IsCompleted; attempt++)
            {
                try
                {
                    var response = await client.GetAsync("/healthz");
                    health = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }

            Assert.NotNull(health);
            Assert.Contains($"\"{provider}\"", health, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
        }

        Assert.Equal(0, await run);
    }

    [Fact]
    public async Task Serve_PassesEveryOptionOn_Sqlite()
    {
        var file = Path.Combine(_folder, "serve.db");
        await ServeAsync("sqlite", $"Data Source={file}");
        Assert.True(File.Exists(file), "the server did not use the given SQLite file");
    }

    [Fact]
    public async Task Serve_PassesEveryOptionOn_Postgres()
    {
        var connectionString = await PostgresEnvironment.CreateDatabaseAsync();
        try
        {
            await ServeAsync("postgres", connectionString);
        }
        finally
        {
            await PostgresEnvironment.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public void ServerArguments_AreEverythingAfterServe_AsTyped()
    {
        Assert.Equal(
            ["--urls", "http://0.0.0.0:8080", "--Storage:Provider=postgres", "--Storage:ConnectionString=Host=db;Password=a=b"],
            Commands.ServeCommand.ServerArguments(
                ["serve", "--urls", "http://0.0.0.0:8080", "--Storage:Provider=postgres", "--Storage:ConnectionString=Host=db;Password=a=b"]));
    }

    [Fact]
    public async Task Demo_ThroughTheParser_ExitsZero() => Assert.Equal(0, await CliApp.RunAsync(["demo"]));

    [Fact]
    public async Task Simulate_TheReadmeLine_ThroughTheParser_ExitsZero() =>
        Assert.Equal(0, await CliApp.RunAsync(
            ["simulate", "--devices", "5", "--days", "7", "--ops-per-day", "60", "--offline-rate", "0.2", "--seed", "1", "--policy", "field", "--faults", "all", "--json"]));
}
