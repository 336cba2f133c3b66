using System.Reflection;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Hosting;
using FrameLord.Sync.Server.Storage.Postgres;
using FrameLord.Sync.Server.Storage.Sqlite;

namespace FrameLord.Sync.Server.Tests;

/// <summary>Rules of the server's layout that a compiler does not check.</summary>
public sealed class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    private static readonly Assembly Server = typeof(SyncService).Assembly;
    private static readonly Assembly Sqlite = typeof(SqliteSyncStore).Assembly;
    private static readonly Assembly Postgres = typeof(PostgresSyncStore).Assembly;
    private static readonly Assembly Host = typeof(SyncServerApp).Assembly;

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FrameLord.Sync.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root was not found above the test output.");
    }

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(Path.Combine(Root, "src", project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static List<string> References(Assembly assembly) =>
        [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];

    [Fact]
    public void TheServerAssembly_ReferencesNeitherDatabaseDriver()
    {
        Assert.DoesNotContain(References(Server), r => r.StartsWith("Npgsql", StringComparison.Ordinal) || r == "Microsoft.Data.Sqlite");

        // Nor does its project or its source: a driver type used only in an unreferenced path would not show above.
        var project = File.ReadAllText(Path.Combine(Root, "src", "FrameLord.Sync.Server", "FrameLord.Sync.Server.csproj"));
        Assert.DoesNotContain("Npgsql", project, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.Data.Sqlite", project, StringComparison.Ordinal);
        var offenders = SourceFiles("FrameLord.Sync.Server")
            .Where(f => File.ReadAllText(f) is var text
                && (text.Contains("using Npgsql", StringComparison.Ordinal) || text.Contains("Microsoft.Data.Sqlite", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(Root, f))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void EachStore_ReferencesTheServer_AndOnlyItsOwnDriver()
    {
        Assert.Contains(Server.GetName().Name!, References(Sqlite));
        Assert.Contains("Microsoft.Data.Sqlite", References(Sqlite));
        Assert.DoesNotContain(References(Sqlite), r => r.StartsWith("Npgsql", StringComparison.Ordinal));

        Assert.Contains(Server.GetName().Name!, References(Postgres));
        Assert.Contains("Npgsql", References(Postgres));
        Assert.DoesNotContain("Microsoft.Data.Sqlite", References(Postgres));

        // The stores know the server, never each other.
        Assert.DoesNotContain(Postgres.GetName().Name!, References(Sqlite));
        Assert.DoesNotContain(Sqlite.GetName().Name!, References(Postgres));
    }

    /// <summary>
    /// The public API analyzer fails the build on an unlisted public symbol; this holds even where the
    /// analyzer is switched off: each shipped server assembly's public types are exactly those its
    /// PublicAPI files list, so a type made public (or internal) is a visible diff of those files.
    /// </summary>
    [Theory]
    [InlineData("FrameLord.Sync.Server")]
    [InlineData("FrameLord.Sync.Server.Sqlite")]
    [InlineData("FrameLord.Sync.Server.Postgres")]
    [InlineData("FrameLord.Sync.Server.Host")]
    public void ThePublicTypes_AreThoseThePublicApiFilesList(string project)
    {
        var assembly = new[] { Server, Sqlite, Postgres, Host }.Single(a => a.GetName().Name == project);
        var lines = new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(file => File.ReadLines(Path.Combine(Root, "src", project, file)))
            .Select(line => line.Trim())
            .ToHashSet(StringComparer.Ordinal);
        var types = assembly.GetExportedTypes().Select(t => t.FullName!.Replace('+', '.')).ToHashSet(StringComparer.Ordinal);

        var unlisted = types.Where(t => !lines.Contains(t)).ToList();
        Assert.Empty(unlisted);

        // A listed type line is a line naming an assembly type (members carry a '(' or an arrow, types neither).
        var listedTypes = lines.Where(l => !l.StartsWith('#') && l.Length > 0 && !l.Contains(' ', StringComparison.Ordinal)
            && !l.Contains('(', StringComparison.Ordinal) && assembly.GetType(l) is not null);
        var listedButNotPublic = listedTypes.Where(t => !types.Contains(t)).ToList();
        Assert.Empty(listedButNotPublic);
    }
}
