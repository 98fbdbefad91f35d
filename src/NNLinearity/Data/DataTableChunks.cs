using System;
using System.Collections.Generic;
using System.Threading;

namespace NNLinearity.Data;

/// <summary>
/// Data for a streamed formula fit: the rows as tables of consecutive rows, read from the start as many times as the
/// fit asks. Every reading must give the same rows in the same order, with the same columns and column kinds.
/// </summary>
/// <remarks>Thread safety: as <see cref="NNLinearity.Glm.IGlmChunkSource"/>.</remarks>
public interface IDataTableChunkSource
{
    /// <summary>Reads the rows from the first, a table at a time.</summary>
    /// <param name="cancellationToken">Stops the reading between tables.</param>
    /// <returns>The tables in row order.</returns>
    IEnumerable<DataTable> ReadTables(CancellationToken cancellationToken);
}

/// <summary>Table chunk sources over tables the caller makes.</summary>
/// <remarks>Thread safety: stateless; a source it makes calls the caller's function once per reading.</remarks>
public static class DataTableChunks
{
    /// <summary>A source that calls <paramref name="read"/> for every reading (for example to open a file and yield its batches).</summary>
    /// <param name="read">Gives the tables in row order; called once per pass.</param>
    /// <returns>The source.</returns>
    public static IDataTableChunkSource FromFunction(Func<CancellationToken, IEnumerable<DataTable>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return new FunctionSource(read);
    }

    /// <summary>A source over one table cut into tables of <paramref name="chunkRows"/> rows: the streamed path on data in memory.</summary>
    /// <param name="table">The table.</param>
    /// <param name="chunkRows">Rows per chunk, at least 1.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> is below 1.</exception>
    public static IDataTableChunkSource FromTable(DataTable table, int chunkRows)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, $"chunkRows is {chunkRows}; a chunk holds at least one row.");
        return new FunctionSource(ct => Slices(table, chunkRows, ct));
    }

    private static IEnumerable<DataTable> Slices(DataTable table, int chunkRows, CancellationToken ct)
    {
        for (int r0 = 0; r0 < table.RowCount; r0 += chunkRows)
        {
            ct.ThrowIfCancellationRequested();
            int n = Math.Min(chunkRows, table.RowCount - r0);
            var columns = new List<DataColumn>(table.Columns.Count);
            foreach (DataColumn c in table.Columns) columns.Add(Slice(c, r0, n));
            yield return new DataTable(columns);
        }
    }

    /// <summary>Rows [r0, r0 + n) of a column as a file's chunk would hold them: text columns with the chunk's own levels, factors with their declared ones.</summary>
    private static DataColumn Slice(DataColumn c, int r0, int n)
    {
        switch (c.Kind)
        {
            case ColumnKind.Numeric:
                return DataColumn.Numeric(c.Name, c.NumberArray!.AsSpan(r0, n).ToArray());
            case ColumnKind.Logical:
            {
                var v = new bool?[n];
                for (int i = 0; i < n; i++) v[i] = c.IsMissing(r0 + i) ? null : c.GetLevel(r0 + i) == "TRUE";
                return DataColumn.Logical(c.Name, v);
            }

            default:
            {
                var v = new string?[n];
                for (int i = 0; i < n; i++) v[i] = c.GetLevel(r0 + i);
                return c.Kind == ColumnKind.Factor ? DataColumn.Factor(c.Name, v, c.Levels, c.IsOrdered) : DataColumn.Text(c.Name, v);
            }
        }
    }

    private sealed class FunctionSource(Func<CancellationToken, IEnumerable<DataTable>> read) : IDataTableChunkSource
    {
        public IEnumerable<DataTable> ReadTables(CancellationToken cancellationToken) => read(cancellationToken);
    }
}
