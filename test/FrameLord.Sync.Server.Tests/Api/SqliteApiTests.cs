using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

public sealed class SqliteApiTests() : ApiTests(Backend.Sqlite);
