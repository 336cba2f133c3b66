namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>One socket's view of one note: frames document updates and awareness updates in its protocol and queues them.</summary>
internal interface INotePeer
{
    void SendUpdate(byte[] update);

    void SendAwareness(byte[] awarenessUpdate);
}
