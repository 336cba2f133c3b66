namespace FrameLord.Sync.Server.Storage;

/// <summary>
/// Files the server creates that hold users' data or its signing key: owner-only on Unix (folder 0700
/// when the server creates it, file 0600), whatever the process's umask would have given.
/// </summary>
internal static class OwnerOnlyFiles
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder of <paramref name="file"/> when it is missing (an existing one is left as it is).</summary>
    public static void CreateFolderFor(string file)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (string.IsNullOrEmpty(folder) || Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, FolderMode);
        }
    }

    /// <summary>
    /// Creates an empty database file, owner-only, when none exists: SQLite opens an empty file as a new
    /// database, and gives the -wal and -shm files it creates beside it the same permissions.
    /// </summary>
    public static void CreateDatabaseFile(string path)
    {
        CreateFolderFor(path);
        if (File.Exists(path) || OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = FileMode,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first.
        }
    }

    /// <summary>Options that create a new file, owner-only on Unix.</summary>
    public static FileStreamOptions NewFile()
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }
}
