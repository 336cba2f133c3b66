namespace FrameLord.Sync.Crdt.Tests;

public class YDocTests
{
    [Fact]
    public void Construct_Works() => Assert.NotNull(new YDoc());
}
