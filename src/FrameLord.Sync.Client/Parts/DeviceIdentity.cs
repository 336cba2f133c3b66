using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>Who this database is: the device, and once bound to an account the user and their Contact Zero.</summary>
internal sealed class DeviceIdentity(string deviceId, string? userId, string? contactZeroId)
{
    public string DeviceId { get; } = deviceId;

    public string? UserId { get; private set; } = userId;

    public string? ContactZeroId { get; private set; } = contactZeroId;

    public void Bind(string userId, string contactZeroId)
    {
        UserId = userId;
        ContactZeroId = contactZeroId;
    }

    public bool IsContactZero(string entityType, string entityId) =>
        entityType == EntityTypes.Contact && ContactZeroId is { } id && string.Equals(id, entityId, StringComparison.Ordinal);

    public bool IsOtherDevice(string deviceId) => !string.Equals(deviceId, DeviceId, StringComparison.Ordinal);
}
