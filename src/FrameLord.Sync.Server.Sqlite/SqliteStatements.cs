using Microsoft.Data.Sqlite;

namespace FrameLord.Sync.Server.Storage.Sqlite;

/// <summary>
/// The commands of one connection, kept by their SQL: a command keeps its compiled statements between runs, so
/// running one again with new values parses no SQL and makes no new command or parameters. Not thread-safe: one
/// user at a time (the store's write gate). Disposing it disposes the commands, not the connection.
/// </summary>
internal sealed class SqliteStatements(SqliteConnection connection) : IAsyncDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    /// <summary>The command for <paramref name="sql"/> in <paramref name="tx"/>, its user and note parameters set.</summary>
    public SqliteCommand For(SqliteTransaction tx, string sql, string userId, string noteId)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Transaction = tx;
        Set(command, "$u", userId);
        Set(command, "$n", noteId);
        return command;
    }

    /// <summary>Sets a parameter's value, adding the parameter on the command's first run.</summary>
    public static SqliteParameter Set(SqliteCommand command, string name, object value)
    {
        var index = command.Parameters.IndexOf(name);
        if (index < 0)
        {
            return command.Parameters.AddWithValue(name, value);
        }

        var parameter = command.Parameters[index];
        parameter.Value = value;
        return parameter;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync();
        }

        _commands.Clear();
    }
}
