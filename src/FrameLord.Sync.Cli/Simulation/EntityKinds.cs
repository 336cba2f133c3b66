using FrameLord.Sync.Client;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>One editable text field of an entity type, read and written through the typed model.</summary>
internal sealed record EntityField(string Name, Func<SyncEntity, string?> Get, Action<SyncEntity, string?> Set);

/// <summary>The workload's view of one entity type: its typed store, its editable fields, how often it is edited.</summary>
internal abstract class EntityKind(string type, int weight, IReadOnlyList<EntityField> fields)
{
    public string Type { get; } = type;

    public int Weight { get; } = weight;

    public IReadOnlyList<EntityField> Fields { get; } = fields;

    public abstract Task CreateAsync(SyncClient client, string id, IReadOnlyDictionary<string, string> values);

    public abstract Task UpdateAsync(SyncClient client, string id, EntityField field, string value);

    public abstract Task DeleteAsync(SyncClient client, string id);

    public abstract Task RestoreAsync(SyncClient client, string id);

    public abstract Task<SyncEntity?> GetAsync(SyncClient client, string id);

    public abstract Task<IReadOnlyList<SyncEntity>> ListAsync(SyncClient client);

    /// <summary>The eight types, weighted as the seed's CRM is used: contacts and tasks most.</summary>
    public static IReadOnlyList<EntityKind> All { get; } =
    [
        new Kind<Contact>(EntityTypes.Contact, 30, c => c.Contacts,
            [F<Contact>("name", e => e.Name, (e, v) => e.Name = v), F<Contact>("email", e => e.Email, (e, v) => e.Email = v),
             F<Contact>("phone", e => e.Phone, (e, v) => e.Phone = v), F<Contact>("status", e => e.Status, (e, v) => e.Status = v),
             F<Contact>("company", e => e.Company, (e, v) => e.Company = v), F<Contact>("title", e => e.Title, (e, v) => e.Title = v)]),
        new Kind<TaskItem>(EntityTypes.Task, 20, c => c.Tasks,
            [F<TaskItem>("title", e => e.Title, (e, v) => e.Title = v), F<TaskItem>("status", e => e.Status, (e, v) => e.Status = v),
             F<TaskItem>("priority", e => e.Priority, (e, v) => e.Priority = v), F<TaskItem>("description", e => e.Description, (e, v) => e.Description = v)]),
        new Kind<Note>(EntityTypes.Note, 15, c => c.Notes,
            [F<Note>("title", e => e.Title, (e, v) => e.Title = v), F<Note>("folder_id", e => e.FolderId, (e, v) => e.FolderId = v)]),
        new Kind<Interaction>(EntityTypes.Interaction, 15, c => c.Interactions,
            [F<Interaction>("summary", e => e.Summary, (e, v) => e.Summary = v), F<Interaction>("kind", e => e.Kind, (e, v) => e.Kind = v)]),
        new Kind<Project>(EntityTypes.Project, 7, c => c.Projects,
            [F<Project>("name", e => e.Name, (e, v) => e.Name = v), F<Project>("status", e => e.Status, (e, v) => e.Status = v),
             F<Project>("description", e => e.Description, (e, v) => e.Description = v)]),
        new Kind<Folder>(EntityTypes.Folder, 5, c => c.Folders, [F<Folder>("name", e => e.Name, (e, v) => e.Name = v)]),
        new Kind<Group>(EntityTypes.Group, 4, c => c.Groups, [F<Group>("name", e => e.Name, (e, v) => e.Name = v)]),
        new Kind<Pipeline>(EntityTypes.Pipeline, 4, c => c.Pipelines, [F<Pipeline>("name", e => e.Name, (e, v) => e.Name = v)]),
    ];

    private static EntityField F<T>(string name, Func<T, string?> get, Action<T, string?> set) where T : SyncEntity =>
        new(name, e => get((T)e), (e, v) => set((T)e, v));

    private sealed class Kind<T>(string type, int weight, Func<SyncClient, EntityStore<T>> store, IReadOnlyList<EntityField> fields)
        : EntityKind(type, weight, fields) where T : SyncEntity, new()
    {
        public override async Task CreateAsync(SyncClient client, string id, IReadOnlyDictionary<string, string> values)
        {
            var entity = new T { Id = id };
            foreach (var field in Fields)
            {
                if (values.TryGetValue(field.Name, out var value))
                {
                    field.Set(entity, value);
                }
            }

            await store(client).CreateAsync(entity);
        }

        public override Task UpdateAsync(SyncClient client, string id, EntityField field, string value) =>
            store(client).UpdateAsync(id, e => field.Set(e, value));

        public override Task DeleteAsync(SyncClient client, string id) => store(client).DeleteAsync(id);

        public override Task RestoreAsync(SyncClient client, string id) => store(client).RestoreAsync(id);

        public override async Task<SyncEntity?> GetAsync(SyncClient client, string id) => await store(client).GetAsync(id);

        public override async Task<IReadOnlyList<SyncEntity>> ListAsync(SyncClient client) =>
            (await store(client).ListAsync(includeArchived: true)).Cast<SyncEntity>().ToList();
    }
}
