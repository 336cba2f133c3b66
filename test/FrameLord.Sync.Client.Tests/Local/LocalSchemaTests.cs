using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Local;

/// <summary>Opening databases written by older versions of the SDK (and refusing newer ones).</summary>
public sealed class LocalSchemaTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(LocalDevice.Start);
    private readonly ScriptedTransport _transport = new();

    public void Dispose() => _folder.Dispose();

    private string Path => _folder.File("device.db");

    private Task<SyncClient> Open() => LocalDevice.OpenAsync(Path, _transport, _time);

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task AVersion1Outbox_ADeleteHoldingFieldEdits_IsPushedAsAnUpdateOfThemAfterTheMigration()
    {
        await using (var client = await Open())
        {
            await client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "t", ExpiresIn = 60 });
            await client.Contacts.CreateAsync(new Contact { Id = "cnt_held", Name = "A" });
            await client.Contacts.CreateAsync(new Contact { Id = "cnt_bare", Name = "B" });
            await client.SyncNowAsync();
        }

        // What version 1 left behind: deletes that kept their field edits aside in the held column.
        Execute("""
            ALTER TABLE outbox ADD COLUMN held TEXT NULL;
            INSERT INTO outbox (change_id, entity_type, entity_id, operation, data, held, client_timestamp, sync_version, base_version, sent)
            VALUES ('c90', 'contact', 'cnt_held', 'delete', NULL, '{"name":"A2"}', 1, 3, 1, 0),
                   ('c91', 'contact', 'cnt_bare', 'delete', NULL, NULL, 1, 2, 1, 0);
            UPDATE sync_meta SET value = '1' WHERE key = 'schema_version';
            """);

        await using (var client = await Open())
        {
            var entries = LocalDevice.Outbox(client);
            Assert.Equal([Operations.Update, Operations.Delete], entries.Select(e => e.Operation));
            Assert.Equal("""{"name":"A2","is_archived":true}""", entries[0].Data!.ToJsonString());
            Assert.Null(entries[1].Data);
            Assert.Equal(LocalSchema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), client.Database.Read(c =>
            {
                using var command = c.CreateCommand();
                command.CommandText = "SELECT value FROM sync_meta WHERE key = 'schema_version';";
                return (string)command.ExecuteScalar()!;
            }));

            client.AccessToken = "t";
            await client.SyncNowAsync();
            var pushed = _transport.Pushes[^1].Changes;
            Assert.Equal(["c90", "c91"], pushed.Select(c => c.ChangeId));
            Assert.Equal(Operations.Update, pushed[0].Operation);
            Assert.Equal("""{"name":"A2","is_archived":true}""", pushed[0].Data!.Value.GetRawText());
            Assert.Equal(Operations.Delete, pushed[1].Operation);
        }
    }

    [Fact]
    public async Task ADatabaseFromANewerSdk_IsRefused_AndLeftAsItIs()
    {
        await using (await Open())
        {
        }

        Execute("UPDATE sync_meta SET value = '999' WHERE key = 'schema_version';");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(Open);
        Assert.Contains("999", error.Message, StringComparison.Ordinal);
        using var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM sync_meta WHERE key = 'schema_version';";
        Assert.Equal("999", command.ExecuteScalar());
    }

    [Fact]
    public async Task AVersion2Database_GetsTheDocumentTables_AndKeepsItsOutbox()
    {
        await using (var client = await Open())
        {
            await client.Contacts.CreateAsync(new Contact { Id = "cnt_kept", Name = "A" });
        }

        Execute("DROP TABLE document_updates; DROP TABLE documents; UPDATE sync_meta SET value = '2' WHERE key = 'schema_version';");

        await using (var client = await Open())
        {
            Assert.Equal("cnt_kept", Assert.Single(LocalDevice.Outbox(client)).EntityId);
            using var note = await client.Documents.OpenAsync("note_1");
            note.Doc.GetText("body").Insert(0, "stored");
            Assert.Equal(1, client.State.UnsyncedDocuments);
        }

        await using (var client = await Open())
        {
            using var note = await client.Documents.OpenAsync("note_1");
            Assert.Equal("stored", note.Doc.GetText("body").ToString());
        }
    }
}
