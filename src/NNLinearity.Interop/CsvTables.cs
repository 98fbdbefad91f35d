using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using nietras.SeparatedValues;
using NNLinearity.Data;

namespace NNLinearity.Interop;

/// <summary>How a CSV file is read into a table.</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
public sealed record CsvReadOptions
{
    /// <summary>The separator (detected from the header when null: comma, semicolon, tab or pipe).</summary>
    public char? Separator { get; init; }

    /// <summary>Fields that mean a missing value (default: empty and NA, as R's read.csv).</summary>
    public IReadOnlyList<string> MissingValues { get; init; } = ["", "NA"];

    /// <summary>
    /// Kinds forced by column name instead of inferred: Numeric (a field that does not parse is an error naming it),
    /// Character, Factor (levels sorted) or Logical.
    /// </summary>
    public IReadOnlyDictionary<string, ColumnKind>? ColumnKinds { get; init; }
}

/// <summary>
/// Tables from CSV text, read with Sep (a fast, vectorised RFC 4180 reader) in two passes over the file: the first
/// infers each column's kind (numeric when every present field parses as a number in the invariant culture, logical
/// when every one is TRUE/FALSE/T/F/true/false, otherwise character), the second fills the table's arrays directly.
/// </summary>
/// <remarks>Thread safety: stateless; safe from any thread.</remarks>
public static class CsvTables
{
    /// <summary>Reads a CSV file with a header row.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Separator, missing-value markers and forced column kinds.</param>
    /// <returns>The table.</returns>
    /// <exception cref="InvalidDataException">A row with another number of fields than the header, a field a forced numeric or logical column cannot parse, or no header.</exception>
    public static DataTable Read(string path, CsvReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new CsvReadOptions();
        Kind[] kinds = Infer(() => Reader(options).FromFile(path), options, out string[] names, out int rows);
        return Fill(() => Reader(options).FromFile(path), options, kinds, names, rows);
    }

    /// <summary>Reads CSV text with a header row.</summary>
    /// <param name="text">The text.</param>
    /// <param name="options">Separator, missing-value markers and forced column kinds.</param>
    /// <returns>The table.</returns>
    /// <exception cref="InvalidDataException">As <see cref="Read(string, CsvReadOptions?)"/>.</exception>
    public static DataTable Parse(string text, CsvReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new CsvReadOptions();
        Kind[] kinds = Infer(() => Reader(options).FromText(text), options, out string[] names, out int rows);
        return Fill(() => Reader(options).FromText(text), options, kinds, names, rows);
    }

    private enum Kind
    {
        Numeric,
        Logical,
        Character,
        Factor,
    }

    /// <summary>
    /// The file as tables of <paramref name="chunkRows"/> rows. The column kinds are inferred once, over the whole file,
    /// at the first reading (a forced factor is read as a character column: each table holds only some levels, and a
    /// streamed fit collects and sorts them over all the tables).
    /// </summary>
    internal static IDataTableChunkSource Chunks(string path, CsvReadOptions o, int chunkRows)
    {
        var layout = new Lazy<(Kind[] Kinds, string[] Names, int Rows)>(() =>
        {
            Kind[] kinds = Infer(() => Reader(o).FromFile(path), o, out string[] names, out int rows);
            for (int c = 0; c < kinds.Length; c++)
            {
                if (kinds[c] == Kind.Factor) kinds[c] = Kind.Character;
            }

            return (kinds, names, rows);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
        return DataTableChunks.FromFunction(ct =>
        {
            (Kind[] kinds, string[] names, int rows) = layout.Value;
            return FillChunks(() => Reader(o).FromFile(path), o, kinds, names, rows, chunkRows, ct);
        });
    }

    private static SepReaderOptions Reader(CsvReadOptions o) => Sep.Reader(r => r with
    {
        Sep = o.Separator is char c ? new Sep(c) : null,
        Unescape = true,
        CultureInfo = CultureInfo.InvariantCulture,
        DisableColCountCheck = false, // Sep refuses a row with another number of fields, naming its lines
    });

    private static bool IsMissing(ReadOnlySpan<char> field, string[] missing)
    {
        for (int i = 0; i < missing.Length; i++)
        {
            if (field.SequenceEqual(missing[i])) return true;
        }

        return false;
    }

    private static bool? Logical(ReadOnlySpan<char> f) => f switch
    {
        "TRUE" or "T" or "true" or "True" => true,
        "FALSE" or "F" or "false" or "False" => false,
        _ => null,
    };

#pragma warning disable CA2208 // the public argument is options
    private static Kind[] Infer(Func<SepReader> open, CsvReadOptions o, out string[] names, out int rows)
    {
        using SepReader reader = Open(open);
        string[] missingMarkers = o.MissingValues.ToArray();
        names = reader.Header.ColNames.ToArray();
        if (names.Length == 0) throw new InvalidDataException("The CSV text has no header row.");
        int k = names.Length;
        bool[] numeric = Enumerable.Repeat(true, k).ToArray(), logical = Enumerable.Repeat(true, k).ToArray(), any = new bool[k];
        rows = 0;
        foreach (SepReader.Row row in reader)
        {
            for (int c = 0; c < k; c++)
            {
                ReadOnlySpan<char> f = row[c].Span;
                if (IsMissing(f, missingMarkers)) continue;
                any[c] = true;
                if (numeric[c] && !double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) numeric[c] = false;
                if (logical[c] && Logical(f) is null) logical[c] = false;
            }

            if (++rows == int.MaxValue) throw new InvalidDataException($"The CSV text has {int.MaxValue} rows or more; split it into files below that.");
        }

        var kinds = new Kind[k];
        for (int c = 0; c < k; c++)
        {
            kinds[c] = o.ColumnKinds is not null && o.ColumnKinds.TryGetValue(names[c], out ColumnKind forced) ? forced switch
            {
                ColumnKind.Numeric => Kind.Numeric,
                ColumnKind.Logical => Kind.Logical,
                ColumnKind.Factor => Kind.Factor,
                _ => Kind.Character,
            }
            : !any[c] || numeric[c] ? Kind.Numeric : logical[c] ? Kind.Logical : Kind.Character;
        }

        string[] header = names;
        if (o.ColumnKinds is not null)
        {
            foreach (string name in o.ColumnKinds.Keys.Where(n => !header.Contains(n)))
            {
                throw new ArgumentException($"ColumnKinds names '{name}', which is not a column of the CSV (its columns are {string.Join(", ", header)}).", "options");
            }
        }

        return kinds;
    }
#pragma warning restore CA2208

    private static SepReader Open(Func<SepReader> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is not (IOException or UnauthorizedAccessException))
        {
            throw new InvalidDataException($"The CSV text cannot be read: {e.Message}", e);
        }
    }

    private static DataTable Fill(Func<SepReader> open, CsvReadOptions o, Kind[] kinds, string[] names, int rows) =>
        FillChunks(open, o, kinds, names, rows, Math.Max(rows, 1), CancellationToken.None).Single();

    /// <summary>
    /// The rows as tables of at most <paramref name="chunkRows"/> rows (one empty table when there are no rows), each
    /// text column with the levels its table holds, sorted.
    /// </summary>
    private static IEnumerable<DataTable> FillChunks(Func<SepReader> open, CsvReadOptions o, Kind[] kinds, string[] names, int rows, int chunkRows, CancellationToken ct)
    {
        int k = names.Length;
        using SepReader reader = Open(open);
        string[] missingMarkers = o.MissingValues.ToArray();
        var numbers = new double[k][];
        var codes = new int[k][];
        var levelIndex = new Dictionary<string, int>[k];
        int done = 0;
        do
        {
            ct.ThrowIfCancellationRequested();
            int capacity = Math.Min(chunkRows, rows - done);
            Start(kinds, capacity, numbers, codes, levelIndex);
            int read = FillRows(reader, missingMarkers, kinds, names, capacity, numbers, codes, levelIndex);
            if (read != capacity) throw new InvalidDataException($"The CSV text changed while it was read: {done + read} rows where {rows} were counted.");
            done += read;
            yield return Build(kinds, names, numbers, codes, levelIndex);
        }
        while (done < rows);

        if (reader.MoveNext()) throw new InvalidDataException($"The CSV text changed while it was read: more than the {rows} rows counted.");
    }

    /// <summary>Reads up to <paramref name="capacity"/> rows into the chunk's arrays; returns how many it read.</summary>
    private static int FillRows(SepReader reader, string[] missingMarkers, Kind[] kinds, string[] names, int capacity, double[][] numbers, int[][] codes, Dictionary<string, int>[] levelIndex)
    {
        int k = names.Length, r = 0;
        while (r < capacity && reader.MoveNext())
        {
            SepReader.Row row = reader.Current;
            for (int c = 0; c < k; c++)
            {
                ReadOnlySpan<char> f = row[c].Span;
                bool missing = IsMissing(f, missingMarkers);
                switch (kinds[c])
                {
                    case Kind.Numeric:
                        if (missing) numbers[c][r] = double.NaN;
                        else if (!double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[c][r]) || double.IsInfinity(numbers[c][r]))
                        {
                            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Line {row.LineNumberFrom}, column '{names[c]}': \"{f.ToString()}\" is not a finite number."));
                        }

                        break;
                    case Kind.Logical:
                        codes[c][r] = missing ? -1 : Logical(f) is bool b ? (b ? 1 : 0)
                            : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Line {row.LineNumberFrom}, column '{names[c]}': \"{f.ToString()}\" is not TRUE or FALSE."));
                        break;
                    default:
                        if (missing)
                        {
                            codes[c][r] = -1;
                        }
                        else
                        {
                            Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = levelIndex[c].GetAlternateLookup<ReadOnlySpan<char>>();
                            if (!lookup.TryGetValue(f, out int code))
                            {
                                code = levelIndex[c].Count;
                                levelIndex[c].Add(f.ToString(), code);
                            }

                            codes[c][r] = code;
                        }

                        break;
                }
            }

            r++;
        }

        return r;
    }

    private static void Start(Kind[] kinds, int capacity, double[][] numbers, int[][] codes, Dictionary<string, int>[] levelIndex)
    {
        for (int c = 0; c < kinds.Length; c++)
        {
            numbers[c] = kinds[c] == Kind.Numeric ? new double[capacity] : [];
            codes[c] = kinds[c] == Kind.Numeric ? [] : new int[capacity];
            levelIndex[c] = new Dictionary<string, int>(StringComparer.Ordinal);
        }
    }

    private static DataTable Build(Kind[] kinds, string[] names, double[][] numbers, int[][] codes, Dictionary<string, int>[] levelIndex)
    {
        int k = names.Length;
        var columns = new DataColumn[k];
        for (int c = 0; c < k; c++)
        {
            switch (kinds[c])
            {
                case Kind.Numeric:
                    columns[c] = DataColumn.NumericOwned(names[c], numbers[c]);
                    break;
                case Kind.Logical:
                    columns[c] = DataColumn.CodedOwned(names[c], ColumnKind.Logical, codes[c], ["FALSE", "TRUE"], false);
                    break;
                default:
                {
                    // Levels sorted ordinally (R in the C locale); codes remapped from first-seen order.
                    string[] seen = levelIndex[c].OrderBy(p => p.Value).Select(p => p.Key).ToArray();
                    string[] sorted = seen.Order(StringComparer.Ordinal).ToArray();
                    int[] map = seen.Select(l => Array.BinarySearch(sorted, l, StringComparer.Ordinal)).ToArray();
                    int[] cc = codes[c];
                    for (int i = 0; i < cc.Length; i++) cc[i] = cc[i] < 0 ? -1 : map[cc[i]];
                    columns[c] = DataColumn.CodedOwned(names[c], kinds[c] == Kind.Factor ? ColumnKind.Factor : ColumnKind.Character, cc, sorted, false);
                    break;
                }
            }
        }

        return new DataTable(columns);
    }
}
