using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NNLinearity.Data;

namespace NNLinearity.Formulas;

/// <summary>How a factor is coded in a model matrix (R's <c>contr.*</c>).</summary>
public enum ContrastKind
{
    /// <summary>contr.treatment: each level against the first (the default for unordered factors).</summary>
    Treatment,

    /// <summary>contr.sum: each level but the last against the mean of the levels (columns named 1 .. k-1).</summary>
    Sum,

    /// <summary>contr.helmert: each level against the mean of the ones before it (columns named 1 .. k-1).</summary>
    Helmert,

    /// <summary>contr.poly: orthonormal polynomials in equally spaced scores (the default for ordered factors; columns .L, .Q, .C, ^4, ...).</summary>
    Polynomial,
}

/// <summary>What a model frame does with rows that have a missing value in a variable it uses.</summary>
public enum MissingValueAction
{
    /// <summary>Leave them out (R's na.omit, the default); the fit reports how many were left out.</summary>
    Omit,

    /// <summary>Refuse the data with an <see cref="ArgumentException"/> naming the variable and the row (R's na.fail).</summary>
    Fail,

    /// <summary>
    /// Leave them out of the fit, and give fitted values, linear predictors and residuals one entry per table row, NaN
    /// at the rows left out (R's na.exclude); the fit carries a <c>RowsExcluded</c> diagnostic saying so.
    /// </summary>
    Exclude,
}

/// <summary>How a formula is evaluated on a table: prior weights and offset by column name, contrasts, missing values.</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
public sealed record ModelFrameOptions
{
    /// <summary>The column of prior weights, or null for none.</summary>
    public string? Weights { get; init; }

    /// <summary>A column added to the linear predictor (besides any <c>offset()</c> in the formula), or null for none.</summary>
    public string? Offset { get; init; }

    /// <summary>Contrasts by variable (its label in the formula, such as <c>f</c> or <c>factor(g)</c>); others take the defaults.</summary>
    public IReadOnlyDictionary<string, ContrastKind>? Contrasts { get; init; }

    /// <summary>What to do with missing values (omit by default).</summary>
    public MissingValueAction MissingValues { get; init; } = MissingValueAction.Omit;
}

/// <summary>A model matrix built from a formula and a table, with R's column names, order and coding.</summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class ModelDesign
{
    internal ModelDesign(ModelTerms terms, double[] x, int rows, string[] names, int[] assign, double[]? response, double[]? weights, double[]? offset,
        int[] rowsUsed, int totalRows, DesignRecipe recipe)
    {
        Terms = terms;
        Matrix = x;
        RowCount = rows;
        ColumnNames = names;
        Assign = assign;
        Response = response;
        Weights = weights;
        Offset = offset;
        RowsUsed = rowsUsed;
        OmittedRows = totalRows - rowsUsed.Length;
        TotalRows = totalRows;
        Recipe = recipe;
    }

    /// <summary>The terms.</summary>
    public ModelTerms Terms { get; }

    /// <summary>The model matrix, row-major [rows, columns], including the intercept column when there is one (R's <c>model.matrix</c>).</summary>
    public IReadOnlyList<double> Matrix { get; }

    /// <summary>Rows of the matrix (the table's rows less those left out for missing values).</summary>
    public int RowCount { get; }

    /// <summary>Column names, R's: <c>(Intercept)</c>, <c>woolB</c>, <c>woolB:tensionM</c>, <c>agegp.L</c>.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>R's <c>assign</c>: for each column, the index of its term in <see cref="ModelTerms.TermLabels"/> plus one (0 for the intercept).</summary>
    public IReadOnlyList<int> Assign { get; }

    /// <summary>The response per row (binomial: proportions for <c>cbind</c>, 0/1 for a factor or logical), or null without one.</summary>
    public IReadOnlyList<double>? Response { get; }

    /// <summary>Prior weights per row (the weights column, times the trials of a <c>cbind</c> response), or null for none.</summary>
    public IReadOnlyList<double>? Weights { get; }

    /// <summary>The offset per row (formula offsets plus the offset column), or null for none.</summary>
    public IReadOnlyList<double>? Offset { get; }

    /// <summary>The table rows the matrix's rows come from.</summary>
    public IReadOnlyList<int> RowsUsed { get; }

    /// <summary>Rows left out for missing values.</summary>
    public int OmittedRows { get; }

    /// <summary>Rows of the table.</summary>
    public int TotalRows { get; }

    internal DesignRecipe Recipe { get; }

    /// <summary>Places per-row values (one per matrix row) at their table rows, with NaN at the rows left out for missing values (R's na.exclude padding).</summary>
    /// <param name="values">One value per row of the matrix.</param>
    /// <returns>One value per row of the table.</returns>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not have <see cref="RowCount"/> values.</exception>
    public double[] ToTableRows(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != RowCount) throw new ArgumentException($"values has {values.Count} entries; the design has {RowCount} rows.", nameof(values));
        var padded = Enumerable.Repeat(double.NaN, TotalRows).ToArray();
        for (int r = 0; r < RowCount; r++) padded[RowsUsed[r]] = values[r];
        return padded;
    }

    /// <summary>The model matrix as a two-dimensional array [rows, columns], with or without its intercept column.</summary>
    /// <param name="withIntercept">Keep the "(Intercept)" column (false by default: the form <c>Glm.Fit</c> and layers take).</param>
    /// <returns>A copy of the matrix.</returns>
    public double[,] ToArray(bool withIntercept = false)
    {
        int p = ColumnCount, skip = !withIntercept && Terms.HasIntercept ? 1 : 0;
        var x = new double[RowCount, p - skip];
        for (int r = 0; r < RowCount; r++) for (int j = skip; j < p; j++) x[r, j - skip] = Matrix[r * p + j];
        return x;
    }

    /// <summary>The table rows left out for missing values.</summary>
    /// <returns>Their indices, ascending.</returns>
    public int[] MissingTableRows()
    {
        var used = new bool[TotalRows];
        foreach (int r in RowsUsed) used[r] = true;
        return Enumerable.Range(0, TotalRows).Where(r => !used[r]).ToArray();
    }

    internal int ColumnCount => ColumnNames.Count;

    internal double[] MatrixArray => (double[])Matrix;

    /// <summary>Builds the model matrix of a formula on a table, as R's <c>model.frame</c> and <c>model.matrix</c> do.</summary>
    /// <param name="formula">The formula.</param>
    /// <param name="data">The table.</param>
    /// <param name="options">Weights, offset, contrasts and missing values.</param>
    /// <returns>The design.</returns>
    /// <exception cref="ArgumentException">A variable the table lacks, a function the formula language does not have, a factor with one level, or missing values under <see cref="MissingValueAction.Fail"/>.</exception>
    public static ModelDesign Build(Formula formula, DataTable data, ModelFrameOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(formula);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ModelFrameOptions();
        if (!Enum.IsDefined(options.MissingValues)) throw new ArgumentOutOfRangeException(nameof(options), options.MissingValues, $"MissingValues {(int)options.MissingValues} is not one of {string.Join(", ", Enum.GetNames<MissingValueAction>())}.");
        ModelTerms terms = formula.Expand(data.ColumnNames);
        return Frame.Build(terms, data, options, recipe: null, withResponse: terms.ResponseIndex >= 0);
    }

    /// <summary>Builds the matrix of new data with the coding of a fitted design (levels, contrasts, <c>poly</c> coefficients), without the response and the prior weights (a prediction needs neither, as R's <c>predict</c>); the offset column is read.</summary>
    /// <param name="data">New data with the columns the formula uses.</param>
    /// <returns>The design of the new rows.</returns>
    /// <exception cref="ArgumentException">A missing column, or a factor level the fitted design did not see.</exception>
    public ModelDesign ForNewData(DataTable data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Frame.Build(Terms, data, Recipe.Options with { MissingValues = MissingValueAction.Omit, Weights = null }, Recipe, withResponse: false); // prior weights do not enter a prediction (R: predict needs no weights in newdata)
    }
}

/// <summary>Everything needed to rebuild the same columns on new data: the frame options and each variable's coding.</summary>
internal sealed class DesignRecipe(ModelFrameOptions options, bool oneHot = false)
{
    public ModelFrameOptions Options { get; } = options;

    /// <summary>Every factor coded by indicators of all its levels (network inputs), instead of R's contrast rule.</summary>
    public bool OneHot { get; } = oneHot;

    /// <summary>Levels of each factor variable after unused levels were dropped, by variable label.</summary>
    public Dictionary<string, string[]> Levels { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether a factor variable is ordered, by label.</summary>
    public Dictionary<string, bool> Ordered { get; } = new(StringComparer.Ordinal);

    /// <summary>R's poly coefficients (alpha, norm2) by call label.</summary>
    public Dictionary<string, (double[] Alpha, double[] Norm2)> Poly { get; } = new(StringComparer.Ordinal);
}

/// <summary>A variable's values: numeric columns, or a factor's codes and levels.</summary>
internal sealed class Value
{
    public double[][]? Columns { get; init; }

    public string[] Suffixes { get; init; } = [""];

    public int[]? Codes { get; set; }

    public string[] Levels { get; set; } = [];

    public bool Ordered { get; init; }

    public bool IsFactor => Codes is not null;

    public int Length => Codes?.Length ?? Columns![0].Length;

    public bool Missing(int row)
    {
        if (Codes is not null) return Codes[row] < 0;
        foreach (double[] c in Columns!)
        {
            if (double.IsNaN(c[row])) return true;
        }

        return false;
    }

    public static Value Numeric(double[] v) => new() { Columns = [v] };

#pragma warning disable CA2208 // the public argument that carries the formula
    public double[] Single(string label) => Columns is { Length: 1 } c ? c[0]
        : throw new ArgumentException($"'{label}' is {(IsFactor ? "a factor" : "a matrix")}; a number per row is needed here.", "formula");
#pragma warning restore CA2208
}

/// <summary>R's model.frame and model.matrix: evaluate, drop missing rows and unused levels, code, multiply out.</summary>
internal static class Frame
{
#pragma warning disable CA2208, CA1507 // errors name the public argument that carries the formula or the data
    public static ModelDesign Build(ModelTerms terms, DataTable data, ModelFrameOptions options, DesignRecipe? recipe, bool withResponse, bool oneHot = false, bool allowNoRows = false, bool levelsOnly = false)
    {
        int n = data.RowCount;
        bool training = recipe is null;
        recipe ??= new DesignRecipe(options, oneHot);
        var eval = new Evaluator(data, recipe, training);

        int nv = terms.VariableCount;
        var values = new Value?[nv];
        var used = new bool[nv];
        for (int t = 0; t < terms.TermLabels.Count; t++)
        {
            foreach (int v in terms.TermVariables(t)) used[v] = true;
        }

        if (withResponse && terms.ResponseIndex >= 0) used[terms.ResponseIndex] = true;
        for (int v = 0; v < nv; v++)
        {
            if (used[v] && !(v == terms.ResponseIndex && IsCbind(terms.VariableNode(v)))) values[v] = eval.Evaluate(terms.VariableNode(v));
        }

        double[]? s = null, f = null;
        if (withResponse && terms.ResponseIndex >= 0 && terms.VariableNode(terms.ResponseIndex) is CallNode { Function: "cbind" } cb)
        {
            if (cb.Arguments.Count != 2) throw new ArgumentException($"cbind() in a response takes successes and failures: {cb.Deparse()}.", "formula");
            s = eval.Evaluate(cb.Arguments[0].Value).Single(cb.Arguments[0].Value.Deparse());
            f = eval.Evaluate(cb.Arguments[1].Value).Single(cb.Arguments[1].Value.Deparse());
        }

        Value[] offsets = terms.OffsetNodes.Select(eval.Evaluate).ToArray();
        double[]? weightColumn = options.Weights is null ? null : Column(data, options.Weights, "Weights");
        double[]? offsetColumn = options.Offset is null ? null : Column(data, options.Offset, "Offset");

        // Missing values: a row is complete when every variable, offset, weight and cbind count is present.
        var keep = new List<int>(n);
        for (int i = 0; i < n; i++)
        {
            string? missing = null;
            for (int v = 0; v < nv && missing is null; v++)
            {
                if (values[v] is { } val && val.Missing(i)) missing = terms.VariableNode(v).Deparse();
            }

            for (int o = 0; o < offsets.Length && missing is null; o++)
            {
                if (offsets[o].Missing(i)) missing = terms.OffsetNodes[o].Deparse();
            }

            if (missing is null && weightColumn is not null && double.IsNaN(weightColumn[i])) missing = options.Weights;
            if (missing is null && offsetColumn is not null && double.IsNaN(offsetColumn[i])) missing = options.Offset;
            if (missing is null && s is not null && (double.IsNaN(s[i]) || double.IsNaN(f![i]))) missing = terms.VariableNode(terms.ResponseIndex).Deparse();
            if (missing is null)
            {
                keep.Add(i);
            }
            else if (options.MissingValues == MissingValueAction.Fail)
            {
                throw new ArgumentException($"Row {i} has a missing value in '{missing}' (MissingValues is Fail).", "data");
            }
        }

        int[] rows = keep.ToArray();
        int m = rows.Length;
        if (m == 0 && !allowNoRows) throw new ArgumentException($"No row is complete: every one of the {n} rows has a missing value in a variable the formula uses.", "data");

        // Subset, then settle each factor's levels: drop unused ones when fitting, map to the fitted ones when predicting.
        for (int v = 0; v < nv; v++)
        {
            if (values[v] is not { } val) continue;
            values[v] = Subset(val, rows);
            if (values[v]!.IsFactor && v != terms.ResponseIndex) SettleLevels(values[v]!, terms.VariableNode(v).Deparse(), recipe, training);
        }

        // A streamed fit's first pass wants each factor's levels in these rows, not their columns.
        if (levelsOnly) return new ModelDesign(terms, [], m, [], [], null, null, null, rows, n, recipe);

        double[]? response = null, weights = null;
        if (withResponse && terms.ResponseIndex >= 0)
        {
            if (s is not null)
            {
                response = new double[m];
                weights = new double[m];
                for (int r = 0; r < m; r++)
                {
                    double trials = s[rows[r]] + f![rows[r]];
                    weights[r] = trials;
                    response[r] = trials == 0 ? 0 : s[rows[r]] / trials;
                }
            }
            else
            {
                Value y = values[terms.ResponseIndex]!;
                // A factor response: the first level is failure, every other level success (R's binomial rule).
                response = y.IsFactor ? y.Codes!.Select(c => c == 0 ? 0.0 : 1.0).ToArray() : y.Single(terms.VariableNode(terms.ResponseIndex).Deparse());
            }
        }

        if (weightColumn is not null)
        {
            weights ??= Enumerable.Repeat(1.0, m).ToArray();
            for (int r = 0; r < m; r++) weights[r] *= weightColumn[rows[r]];
        }

        double[]? offset = null;
        if (offsets.Length > 0 || offsetColumn is not null)
        {
            offset = new double[m];
            for (int o = 0; o < offsets.Length; o++)
            {
                double[] ov = offsets[o].Single(terms.OffsetNodes[o].Deparse());
                for (int r = 0; r < m; r++) offset[r] += ov[rows[r]];
            }

            if (offsetColumn is not null) for (int r = 0; r < m; r++) offset[r] += offsetColumn[rows[r]];
        }

        (double[] x, string[] names, int[] assign) = Multiply(terms, values, m, options, recipe, training);
        return new ModelDesign(terms, x, m, names, assign, response, weights, offset, rows, n, recipe);
    }

    private static bool IsCbind(Node node) => node is CallNode { Function: "cbind" };

    private static double[] Column(DataTable data, string name, string option)
    {
        if (!data.Contains(name)) throw new ArgumentException($"{option} names the column '{name}', which the data do not have; the columns are {string.Join(", ", data.ColumnNames)}.", "options");
        DataColumn c = data[name];
        if (c.Kind != ColumnKind.Numeric) throw new ArgumentException($"{option} names the column '{name}', which is {c.Kind}; it must be numeric.", "options");
        return c.NumberArray!;
    }

    private static Value Subset(Value v, int[] rows)
    {
        if (rows.Length == v.Length) return v; // every row kept: rows is the identity, nothing to copy
        if (v.IsFactor) return new Value { Codes = rows.Select(r => v.Codes![r]).ToArray(), Levels = v.Levels, Ordered = v.Ordered };
        return new Value { Columns = v.Columns!.Select(c => rows.Select(r => c[r]).ToArray()).ToArray(), Suffixes = v.Suffixes };
    }

    private static void SettleLevels(Value v, string label, DesignRecipe recipe, bool training)
    {
        if (training)
        {
            var usedLevels = new bool[v.Levels.Length];
            foreach (int c in v.Codes!) usedLevels[c] = true;
            int[] map = new int[v.Levels.Length];
            var kept = new List<string>();
            for (int l = 0; l < v.Levels.Length; l++)
            {
                map[l] = usedLevels[l] ? kept.Count : -1;
                if (usedLevels[l]) kept.Add(v.Levels[l]);
            }

            v.Codes = v.Codes!.Select(c => map[c]).ToArray();
            v.Levels = kept.ToArray();
            recipe.Levels[label] = v.Levels;
            recipe.Ordered[label] = v.Ordered;
            return;
        }

        if (!recipe.Levels.TryGetValue(label, out string[]? fitted)) throw new ArgumentException($"'{label}' is a factor here but was numeric when the model was fitted.", "data");
        var index = fitted.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        int[] codes = new int[v.Codes!.Length];
        for (int r = 0; r < codes.Length; r++)
        {
            string level = v.Levels[v.Codes[r]];
            if (!index.TryGetValue(level, out codes[r])) throw new ArgumentException($"Factor '{label}' has the level \"{level}\", which the fitted model did not see (its levels are {string.Join(", ", fitted)}).", "data");
        }

        v.Codes = codes;
        v.Levels = fitted;
    }

    /// <summary>Multiplies out each term's columns, first variable fastest, with R's contrast rule.</summary>
    private static (double[] X, string[] Names, int[] Assign) Multiply(ModelTerms terms, Value?[] values, int m, ModelFrameOptions options, DesignRecipe recipe, bool training)
    {
        int nt = terms.TermLabels.Count;
        var codes = new int[terms.VariableCount, nt];
        for (int t = 0; t < nt; t++)
        {
            foreach (int v in terms.TermVariables(t)) codes[v, t] = terms.FactorCode(v, t);
        }

        if (recipe.OneHot)
        {
            for (int t = 0; t < nt; t++)
            {
                foreach (int v in terms.TermVariables(t))
                {
                    if (values[v]!.IsFactor) codes[v, t] = 2;
                }
            }
        }
        else if (!terms.HasIntercept)
        {
            // R: without an intercept, the first factor of the first term that has one is coded by indicators.
            bool done = false;
            for (int t = 0; t < nt && !done; t++)
            {
                foreach (int v in terms.TermVariables(t))
                {
                    if (values[v]!.IsFactor)
                    {
                        codes[v, t] = 2;
                        done = true;
                        break;
                    }
                }
            }
        }

        // Each design column is a product of components, one per variable of its term: a numeric column, or a factor's
        // codes looked up in one column of its coding matrix. The matrix is written once, row by row.
        var specs = new List<(double[]? Numbers, int[]? Codes, double[]? Coding)[]>();
        var names = new List<string>();
        var assign = new List<int>();
        if (terms.HasIntercept)
        {
            specs.Add([]);
            names.Add("(Intercept)");
            assign.Add(0);
        }

        for (int t = 0; t < nt; t++)
        {
            List<((double[]? Numbers, int[]? Codes, double[]? Coding)[] Parts, string Name)> block = [([], "")];
            foreach (int v in terms.TermVariables(t))
            {
                Value val = values[v]!;
                string label = terms.VariableNode(v).Deparse();
                var parts = new List<((double[]? Numbers, int[]? Codes, double[]? Coding) Part, string Name)>();
                if (!val.IsFactor)
                {
                    for (int j = 0; j < val.Columns!.Length; j++) parts.Add(((val.Columns[j], null, null), label + val.Suffixes[j]));
                }
                else
                {
                    int k = val.Levels.Length;
                    (double[,] matrix, string[] colNames) = codes[v, t] == 2 ? Indicators(k, val.Levels) : Contrast(Kind(label, val, options), val.Levels, label);
                    for (int j = 0; j < colNames.Length; j++)
                    {
                        double[] coding = Enumerable.Range(0, k).Select(l => matrix[l, j]).ToArray();
                        parts.Add(((null, val.Codes, coding), label + colNames[j]));
                    }
                }

                // The earlier variables vary fastest: for each new part, every existing column.
                var next = new List<((double[]?, int[]?, double[]?)[] Parts, string Name)>(block.Count * parts.Count);
                foreach ((var part, string pn) in parts)
                {
                    foreach ((var existing, string bn) in block) next.Add(([.. existing, part], bn.Length == 0 ? pn : bn + ":" + pn));
                }

                block = next;
            }

            foreach ((var c, string nm) in block)
            {
                specs.Add(c);
                names.Add(nm);
                assign.Add(t + 1);
            }
        }

        int p = specs.Count;
        var x = new double[(long)m * p];
        var spec = specs.ToArray();
        for (int r = 0; r < m; r++)
        {
            long row = (long)r * p;
            for (int j = 0; j < p; j++)
            {
                double value = 1;
                foreach ((double[]? numbers, int[]? factorCodes, double[]? coding) in spec[j])
                {
                    value *= numbers is not null ? numbers[r] : coding![factorCodes![r]];
                }

                x[row + j] = value;
            }
        }

        return (x, names.ToArray(), assign.ToArray());
    }

    private static ContrastKind Kind(string label, Value val, ModelFrameOptions options)
    {
        if (options.Contrasts is not null && options.Contrasts.TryGetValue(label, out ContrastKind kind))
        {
            if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException("options", kind, $"Contrasts[\"{label}\"] = {(int)kind} is not one of {string.Join(", ", Enum.GetNames<ContrastKind>())}.");
            return kind;
        }

        return val.Ordered ? ContrastKind.Polynomial : ContrastKind.Treatment;
    }

    private static (double[,], string[]) Indicators(int k, string[] levels)
    {
        var m = new double[k, k];
        for (int i = 0; i < k; i++) m[i, i] = 1;
        return (m, levels);
    }

    /// <summary>R's contrast matrices, k levels by k - 1 columns, with R's column names.</summary>
    internal static (double[,] Matrix, string[] Names) Contrast(ContrastKind kind, string[] levels, string label)
    {
        int k = levels.Length;
        if (k < 2) throw new ArgumentException($"Factor '{label}' has {k} level{(k == 1 ? $" ({levels[0]})" : "s")} in the rows used; contrasts need at least 2.", "data");
        var c = new double[k, k - 1];
        string[] names;
        switch (kind)
        {
            case ContrastKind.Treatment:
                for (int j = 0; j < k - 1; j++) c[j + 1, j] = 1;
                names = levels[1..];
                break;
            case ContrastKind.Sum:
                for (int j = 0; j < k - 1; j++)
                {
                    c[j, j] = 1;
                    c[k - 1, j] = -1;
                }

                names = Enumerable.Range(1, k - 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                break;
            case ContrastKind.Helmert:
                for (int j = 0; j < k - 1; j++)
                {
                    for (int i = 0; i <= j; i++) c[i, j] = -1;
                    c[j + 1, j] = j + 1;
                }

                names = Enumerable.Range(1, k - 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                break;
            default:
            {
                double[] scores = Enumerable.Range(1, k).Select(i => (double)i).ToArray();
                double[][] z = Polynomials.Orthogonal(scores, k - 1, out _, out _);
                for (int j = 0; j < k - 1; j++)
                {
                    double norm = Math.Sqrt(z[j].Sum(v => v * v));
                    for (int i = 0; i < k; i++) c[i, j] = z[j][i] / norm;
                }

                names = Enumerable.Range(1, k - 1).Select(d => d switch { 1 => ".L", 2 => ".Q", 3 => ".C", _ => "^" + d.ToString(CultureInfo.InvariantCulture) }).ToArray();
                break;
            }
        }

        return (c, names);
    }
#pragma warning restore CA2208, CA1507
}
