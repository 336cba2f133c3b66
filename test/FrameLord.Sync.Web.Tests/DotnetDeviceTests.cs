using FrameLord.Sync.Client;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Crdt.Types;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Web.Tests;

/// <summary>
/// A .NET SDK device and the browser app of one user: what each writes reaches the other, entity
/// fields and a note body alike, through the real server.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DotnetDeviceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("framelord-web-dotnet-").FullName;
    private TestDatabase _db = null!;
    private TestServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Sqlite);
        _server = await TestServer.StartAsync(_db, BrowserServer.Settings);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task DotnetDeviceAndBrowser_Converge()
    {
        WebTooling.RequireChromium();
        var email = $"dotnet-{Guid.NewGuid():N}@example.com";
        await using var desktop = await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = Path.Combine(_folder, "desktop.db"),
            ServerUri = _server.BaseAddress,
        }, TestContext.Current.CancellationToken);
        await desktop.SignupAsync(email, "correct horse battery", "Alice", TestContext.Current.CancellationToken);
        var dana = await desktop.Contacts.CreateAsync(new Contact { Name = "Dana from .NET", Company = "Desktop Inc", Tags = ["dotnet"] }, TestContext.Current.CancellationToken);
        await desktop.SyncNowAsync(TestContext.Current.CancellationToken);

        var (exitCode, text) = await BrowserServer.RunNodeTestAsync("dotnet-device.test.mjs", _server.BaseAddress,
            new Dictionary<string, string> { ["FRAMELORD_EMAIL"] = email });
        output.WriteLine(text);
        Assert.True(exitCode == 0, text);
        Assert.Matches(@"ℹ pass [1-9]", text);

        // The browser edited the .NET contact, added its own, and wrote a note body.
        await desktop.SyncNowAsync(TestContext.Current.CancellationToken);
        var edited = await desktop.Contacts.GetAsync(dana.Id, TestContext.Current.CancellationToken);
        Assert.Equal("Edited in the browser", edited?.Company);
        Assert.Equal("Dana from .NET", edited?.Name);
        Assert.Equal(["dotnet"], edited?.Tags);
        var contacts = await desktop.Contacts.ListAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(contacts, c => c.Name == "Bea from the browser" && c.Email == "bea@example.com");

        var notes = await desktop.Notes.ListAsync(cancellationToken: TestContext.Current.CancellationToken);
        var note = Assert.Single(notes, n => n.Title == "Shared note");
        using var body = await desktop.Documents.OpenAsync(note.Id, TestContext.Current.CancellationToken);
        await desktop.SyncNowAsync(TestContext.Current.CancellationToken);
        string[] texts;
        lock (body.SyncRoot)
        {
            texts = body.Doc.GetMap("blocks").Entries
                .Select(e => e.Value as YMap)
                .Select(block => block?.Get("prop:text") as YText)
                .Where(t => t is not null)
                .Select(t => t!.ToString())
                .ToArray();
        }

        Assert.Contains("Typed in the browser", texts);
    }
}
