using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NNLinearity.Glm;
using Orleans;
using Orleans.Hosting;

namespace NNLinearity.Orleans;

/// <summary>
/// The partitions a silo can read: a data set's partition, by index, as a chunk source. Every silo that may host a
/// partition's grain registers one (<see cref="GlmSiloBuilderExtensions.AddGlmPartitions"/>); typically each opens
/// the partition's files from storage that every silo reaches.
/// </summary>
/// <remarks>Thread safety: must be safe to call from several grains at once.</remarks>
public interface IGlmPartitionCatalog
{
    /// <summary>Opens one partition of a data set.</summary>
    /// <param name="dataset">The data set's name.</param>
    /// <param name="partition">The partition's index, from 0.</param>
    /// <returns>A source of the partition's rows.</returns>
    IGlmChunkSource Open(string dataset, int partition);
}

/// <summary>
/// One partition of a data set, as an Orleans grain keyed "dataset/partition": it sums an IRLS pass over its rows
/// where the silo can read them. The request and the statistics travel as the bytes of
/// <see cref="GlmPassRequest.ToBytes"/> and <see cref="GlmPassStatistics.ToBytes"/>; the grain keeps no state between
/// passes, so when its silo stops, the next call activates it on another silo and the pass is summed there.
/// </summary>
public interface IGlmPartitionGrain : IGrainWithStringKey
{
    /// <summary>Sums one pass over the partition.</summary>
    /// <param name="request">The serialised <see cref="GlmPassRequest"/>.</param>
    /// <param name="maxDegreeOfParallelism">Threads the silo gives the partition's tiles (-1: all its processors).</param>
    /// <returns>The serialised <see cref="GlmPassStatistics"/>.</returns>
    Task<byte[]> EvaluateAsync(byte[] request, int maxDegreeOfParallelism);
}

/// <summary>The grain behind <see cref="IGlmPartitionGrain"/>.</summary>
/// <param name="catalog">The silo's partitions.</param>
internal sealed class GlmPartitionGrain(IGlmPartitionCatalog catalog) : Grain, IGlmPartitionGrain
{
    public async Task<byte[]> EvaluateAsync(byte[] request, int maxDegreeOfParallelism)
    {
        (string dataset, int partition) = GlmPartitionKey.Parse(this.GetPrimaryKeyString());
        GlmPassRequest pass = GlmPassRequest.FromBytes(request);
        IGlmChunkSource source = catalog.Open(dataset, partition);
        // The arithmetic runs off the grain's turn, on the thread pool, with the silo's stopping token.
        CancellationToken stopping = ServiceProvider.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
        GlmPassStatistics stats = await Task.Run(() => GlmPartitionPass.Evaluate(source, pass, partition, maxDegreeOfParallelism, null, stopping), stopping);
        return stats.ToBytes();
    }
}

/// <summary>Grain keys: "dataset/partition".</summary>
public static class GlmPartitionKey
{
    /// <summary>The key of a data set's partition.</summary>
    /// <param name="dataset">The data set's name (no '/').</param>
    /// <param name="partition">The partition's index.</param>
    /// <returns>The grain key.</returns>
    /// <exception cref="ArgumentException">The name is blank or holds '/', or the index is negative.</exception>
    public static string Of(string dataset, int partition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataset);
        if (dataset.Contains('/', StringComparison.Ordinal)) throw new ArgumentException($"The data set's name \"{dataset}\" holds '/', which separates it from the partition in a grain key.", nameof(dataset));
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        return dataset + "/" + partition.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The data set and partition of a grain key.</summary>
    /// <param name="key">A key made by <see cref="Of"/>.</param>
    /// <returns>The data set's name and the partition's index.</returns>
    /// <exception cref="FormatException">The key is not "dataset/partition".</exception>
    public static (string Dataset, int Partition) Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int slash = key.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
        {
            throw new FormatException($"The grain key \"{key}\" is not \"dataset/partition\".");
        }

        return (key[..slash], partition);
    }
}

/// <summary>Registers a silo's partitions.</summary>
public static class GlmSiloBuilderExtensions
{
    /// <summary>Lets this silo host partition grains, reading partitions through <paramref name="catalog"/>.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="catalog">The partitions this silo can read.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddGlmPartitions(this ISiloBuilder builder, IGlmPartitionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(catalog);
        builder.Services.AddSingleton(catalog);
        return builder;
    }
}
