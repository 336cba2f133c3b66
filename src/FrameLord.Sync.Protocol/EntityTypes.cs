using System.Collections.Frozen;

namespace FrameLord.Sync.Protocol;

/// <summary>The eight entity types of the FrameLord data model (DESIGN 1).</summary>
public static class EntityTypes
{
    public const string Contact = "contact";
    public const string Note = "note";
    public const string Task = "task";
    public const string Interaction = "interaction";
    public const string Folder = "folder";
    public const string Group = "group";
    public const string Project = "project";
    public const string Pipeline = "pipeline";

    /// <summary>Every entity type, in a fixed order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Contact, Note, Task, Interaction, Folder, Group, Project, Pipeline];

    private static readonly FrozenSet<string> s_known = All.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True when <paramref name="entityType"/> is one of the eight types (ordinal, lower case).</summary>
    public static bool IsKnown(string? entityType) => entityType is not null && s_known.Contains(entityType);
}
