using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// <c>GET /account/export</c>: everything the server holds for a user as one gzip-compressed tar archive,
/// written entry by entry as it is read, so memory holds one page or one note at a time, never the whole.
/// Tar rather than zip: every entry is complete where it stands (zip's index comes last), it is written with
/// asynchronous calls only, and <c>tar xzf</c> opens it everywhere. Inside, under <c>framelord-export/</c>:
/// <list type="bullet">
/// <item><c>README.txt</c>: what follows.</item>
/// <item><c>account.json</c>: user id, email, display name, Contact Zero id, created and exported times.</item>
/// <item><c>devices.jsonl</c>: the signed-in devices (never a token).</item>
/// <item><c>entities/NNNNNN.jsonl</c>: every entity as pull serves it (tombstones included), one per line, in change order.</item>
/// <item><c>conflicts/NNNNNN.jsonl</c>: every conflict as <c>GET /sync/conflicts</c> serves it, one per line.</item>
/// <item><c>notes/index.jsonl</c> and <c>notes/NNNNNN.yjs</c>: each note body as one Yjs v1 update (what
/// <c>Y.applyUpdate</c> takes); the index maps the file to its note id (note ids are not file names).</item>
/// </list>
/// </summary>
internal sealed class AccountExporter(ISyncStore store, DocumentService documents, LimitOptions limits, TimeProvider time)
{
    public const string Root = "framelord-export/";

    /// <summary>Rows per entities or conflicts file, and note ids read per listing.</summary>
    public const int PageSize = 500;

    private static readonly JsonWriterOptions LineOptions = new() { Indented = false };

    /// <summary>Checks that the user exists before anything is written (the answer can still be a 401 then).</summary>
    public async Task<UserRecord?> FindUserAsync(string userId, CancellationToken cancellationToken) =>
        await store.FindUserByIdAsync(userId, cancellationToken);

    public async Task WriteAsync(UserRecord user, Stream output, CancellationToken cancellationToken)
    {
        await using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
        await using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
        var now = time.GetUtcNow();

        await AddAsync(tar, "README.txt", Encoding.UTF8.GetBytes(Readme), now, cancellationToken);
        await AddAsync(tar, "account.json", Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("user_id", user.UserId);
            writer.WriteString("email", user.Email);
            writer.WriteString("display_name", user.DisplayName);
            writer.WriteString("contact_zero_id", user.ContactZeroId);
            writer.WriteString("created_at", user.CreatedAt);
            writer.WriteString("exported_at", now);
            writer.WriteEndObject();
        }), now, cancellationToken);

        var devices = await store.ListDevicesAsync(user.UserId, cancellationToken);
        await AddAsync(tar, "devices.jsonl", Lines(devices, (writer, d) =>
        {
            writer.WriteStartObject();
            writer.WriteString("device_id", d.DeviceId);
            writer.WriteString("device_name", d.DeviceName);
            writer.WriteString("created_at", d.CreatedAt);
            writer.WriteString("last_seen_at", d.LastSeenAt);
            writer.WriteEndObject();
        }), now, cancellationToken);

        await WriteEntitiesAsync(tar, user.UserId, now, cancellationToken);
        await WriteConflictsAsync(tar, user.UserId, now, cancellationToken);
        await WriteNotesAsync(tar, user.UserId, now, cancellationToken);
    }

    private async Task WriteEntitiesAsync(TarWriter tar, string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long afterSeq = 0;
        for (var file = 1; ; file++)
        {
            var page = await store.ReadChangesAsync(userId, afterSeq, PageSize, limits.MaxPullPageBytes, since: null, cancellationToken);
            if (page.Rows.Count > 0)
            {
                await AddAsync(tar, $"entities/{file:D6}.jsonl", Lines(page.Rows, (writer, row) =>
                {
                    using var data = JsonDocument.Parse(row.DataJson);
                    JsonSerializer.Serialize(writer, new PulledChange
                    {
                        EntityType = row.EntityType,
                        EntityId = row.EntityId,
                        Operation = row.IsArchived ? Operations.Delete : Operations.Update,
                        Data = data.RootElement,
                        SyncVersion = row.SyncVersion,
                        UpdatedAt = row.UpdatedAt,
                        IsArchived = row.IsArchived,
                        ModifiedByDevice = row.ModifiedByDevice,
                    }, SyncJsonContext.Default.PulledChange);
                }), now, cancellationToken);
                afterSeq = page.Rows[^1].Seq;
            }

            if (!page.HasMore)
            {
                return;
            }
        }
    }

    private async Task WriteConflictsAsync(TarWriter tar, string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ConflictPosition? after = null;
        for (var file = 1; ; file++)
        {
            var rows = await store.ListConflictsAsync(userId, openOnly: false, PageSize, limits.MaxPullPageBytes, after, cancellationToken);
            if (rows.Count == 0)
            {
                return;
            }

            await AddAsync(tar, $"conflicts/{file:D6}.jsonl", Lines(rows, (writer, row) => JsonSerializer.Serialize(writer,
                JsonSerializer.Deserialize(row.ConflictJson, ServerJsonContext.Default.Conflict)! with { Status = row.Status },
                SyncJsonContext.Default.Conflict)), now, cancellationToken);
            after = new ConflictPosition(rows[^1].CreatedAt, rows[^1].ConflictId);
        }
    }

    private async Task WriteNotesAsync(TarWriter tar, string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The index is written last, as its own entry, so that no more than one page of it is held: one
        // line per note is kept until then (ids only, bounded by the user's note count).
        var index = new MemoryStream();
        var number = 0;
        string? after = null;
        while (true)
        {
            var ids = await store.ListDocumentIdsAsync(userId, after, PageSize, cancellationToken);
            foreach (var noteId in ids)
            {
                var body = await documents.SyncAsync(userId, noteId, new DocumentSyncRequest(), cancellationToken);
                var file = $"notes/{++number:D6}.yjs";
                await AddAsync(tar, file, body.Updates, now, cancellationToken);
                index.Write(Json(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("note_id", noteId);
                    writer.WriteString("file", file);
                    writer.WriteNumber("sync_version", body.SyncVersion);
                    writer.WriteNumber("bytes", body.Updates.Length);
                    writer.WriteEndObject();
                }));
                index.WriteByte((byte)'\n');
            }

            if (ids.Count < PageSize)
            {
                break;
            }

            after = ids[^1];
        }

        await AddAsync(tar, "notes/index.jsonl", index.ToArray(), now, cancellationToken);
    }

    private static async Task AddAsync(TarWriter tar, string name, byte[] content, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, Root + name)
        {
            DataStream = new MemoryStream(content, writable: false),
            ModificationTime = now,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await tar.WriteEntryAsync(entry, cancellationToken);
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, LineOptions))
        {
            write(writer);
        }

        return buffer.ToArray();
    }

    private static byte[] Lines<T>(IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new MemoryStream();
        foreach (var item in items)
        {
            using (var writer = new Utf8JsonWriter(buffer, LineOptions))
            {
                write(writer, item);
            }

            buffer.WriteByte((byte)'\n');
        }

        return buffer.ToArray();
    }

    private const string Readme = """
        FrameLord Sync: everything the server held for this account when it was exported.

        account.json         the account (user id, email, display name, Contact Zero id, times)
        devices.jsonl        the signed-in devices, one JSON object per line
        entities/*.jsonl     every entity (contacts, tasks, notes' metadata, ...), one JSON object per line,
                             as the sync API serves them; deleted ones have "is_archived": true
        conflicts/*.jsonl    every conflict the server recorded, open and resolved, one per line
        notes/index.jsonl    one line per note body: its note id and the file holding it
        notes/*.yjs          each note body as one Yjs update (binary; Y.applyUpdate(doc, bytes) in Yjs)

        Times are UTC, ISO 8601.
        """;
}
