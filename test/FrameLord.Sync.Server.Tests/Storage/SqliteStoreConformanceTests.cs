using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Storage;

public sealed class SqliteStoreConformanceTests() : StoreConformanceTests(Backend.Sqlite);
