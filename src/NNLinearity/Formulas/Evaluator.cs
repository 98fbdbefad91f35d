using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NNLinearity.Data;

namespace NNLinearity.Formulas;

/// <summary>Evaluates a formula's variable expressions on a table: columns, arithmetic and the formula functions.</summary>
internal sealed class Evaluator(DataTable data, DesignRecipe recipe, bool training)
{
    /// <summary>The functions a formula may call (besides cbind in a response and offset).</summary>
    public static readonly string[] Functions = ["I", "log", "log2", "log10", "log1p", "exp", "sqrt", "abs", "poly", "factor", "relevel"];

#pragma warning disable CA2208 // errors name the public argument that carries the formula or the data
    public Value Evaluate(Node node)
    {
        switch (node)
        {
            case NameNode n:
                if (!data.Contains(n.Name)) throw new ArgumentException($"The formula uses '{n.Name}', which is not a column of the data; the columns are {string.Join(", ", data.ColumnNames)}.", "data");
                return FromColumn(data[n.Name]);
            case NumberNode c:
                return Value.Numeric(Enumerable.Repeat(c.Value, data.RowCount).ToArray());
            case ParenNode p:
                return Evaluate(p.Inner);
            case UnaryNode { Op: '-' } u:
                return Map(Numeric(u.Operand), v => -v);
            case BinaryNode b when b.Op is "+" or "-" or "*" or "/" or "^":
            {
                double[] l = Numeric(b.Left), r = Numeric(b.Right);
                var o = new double[l.Length];
                for (int i = 0; i < o.Length; i++)
                {
                    o[i] = b.Op switch
                    {
                        "+" => l[i] + r[i],
                        "-" => l[i] - r[i],
                        "*" => l[i] * r[i],
                        "/" => l[i] / r[i],
                        _ => Math.Pow(l[i], r[i]),
                    };
                }

                return Finite(Value.Numeric(o), b);
            }

            case CallNode call:
                return Call(call);
            default:
                throw new ArgumentException($"'{node.Deparse()}' cannot be evaluated as a variable (an interaction operator inside a function call?).", "formula");
        }
    }

    private double[] Numeric(Node node)
    {
        Value v = Evaluate(node);
        if (v.IsFactor) throw new ArgumentException($"'{node.Deparse()}' is a factor; arithmetic needs numbers.", "formula");
        return v.Single(node.Deparse());
    }

    private static Value Map(double[] x, Func<double, double> f) => Value.Numeric(x.Select(v => double.IsNaN(v) ? double.NaN : f(v)).ToArray());

    /// <summary>A function of finite data that gives an infinity or a NaN (log of 0, sqrt of -1) is refused, naming the expression and row.</summary>
    private static Value Finite(Value v, Node node)
    {
        foreach (double[] c in v.Columns!)
        {
            for (int i = 0; i < c.Length; i++)
            {
                if (double.IsInfinity(c[i])) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{node.Deparse()}' is {c[i]} at row {i}: a model variable must be finite."), "data");
            }
        }

        return v;
    }

    // The column's arrays are shared, not copied: values are never written in place (every step makes new arrays).
    private static Value FromColumn(DataColumn c) => c.Kind == ColumnKind.Numeric
        ? Value.Numeric(c.NumberArray!)
        : new Value { Codes = c.CodeArray, Levels = c.Levels.ToArray(), Ordered = c.IsOrdered };

    private Value Call(CallNode call)
    {
        string f = call.Function;
        Node Arg(string name, int position) => call.Named(name, position) ?? throw new ArgumentException($"{call.Deparse()} lacks its argument '{name}'.", "formula");
        Value Elementwise(Func<double, double> fn)
        {
            Node a = Arg("x", 0);
            double[] x = Numeric(a);
            for (int i = 0; i < x.Length; i++)
            {
                if (!double.IsNaN(x[i]) && !double.IsFinite(fn(x[i]))) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{call.Deparse()} is {fn(x[i])} at row {i} ({a.Deparse()} = {x[i]}): a model variable must be finite."), "data");
            }

            return Map(x, fn);
        }

        switch (f)
        {
            case "I":
                return Evaluate(Arg("x", 0));
            case "log":
            {
                Node? b = call.Named("base", 1);
                double logBase = b is null ? Math.E : Numeric(b)[0];
                return Elementwise(v => logBase == Math.E ? Math.Log(v) : Math.Log(v) / Math.Log(logBase));
            }

            case "log2": return Elementwise(Math.Log2);
            case "log10": return Elementwise(Math.Log10);
            case "log1p": return Elementwise(v => Numerics.Special.Log1P(v));
            case "exp": return Elementwise(Math.Exp);
            case "sqrt": return Elementwise(Math.Sqrt);
            case "abs": return Elementwise(Math.Abs);
            case "poly": return Poly(call);
            case "factor":
            {
                Value v = Evaluate(Arg("x", 0));
                if (v.IsFactor) return new Value { Codes = v.Codes, Levels = v.Levels, Ordered = v.Ordered };
                double[] x = v.Single(call.Deparse());
                double[] distinct = x.Where(d => !double.IsNaN(d)).Distinct().Order().ToArray();
                var index = distinct.Select((d, i) => (d, i)).ToDictionary(t => t.d, t => t.i);
                return new Value { Codes = x.Select(d => double.IsNaN(d) ? -1 : index[d]).ToArray(), Levels = distinct.Select(RString).ToArray() };
            }

            case "relevel":
            {
                Value v = Evaluate(Arg("x", 0));
                if (!v.IsFactor) throw new ArgumentException($"{call.Deparse()}: relevel needs a factor.", "formula");
                if (Arg("ref", 1) is not StringNode refNode) throw new ArgumentException($"{call.Deparse()}: ref must be a level's name in quotes.", "formula");
                int r = Array.IndexOf(v.Levels, refNode.Value);
                if (r < 0) throw new ArgumentException($"{call.Deparse()}: \"{refNode.Value}\" is not a level of {call.Arguments[0].Value.Deparse()} ({string.Join(", ", v.Levels)}).", "formula");
                string[] levels = v.Levels.Take(r).Prepend(v.Levels[r]).Concat(v.Levels.Skip(r + 1)).ToArray();
                int[] map = Enumerable.Range(0, v.Levels.Length).Select(l => l == r ? 0 : l < r ? l + 1 : l).ToArray();
                return new Value { Codes = v.Codes!.Select(c => c < 0 ? -1 : map[c]).ToArray(), Levels = levels, Ordered = v.Ordered };
            }

            default:
                throw new ArgumentException($"The formula calls {f}(), which the formula language here does not have; it has {string.Join(", ", Functions)}, cbind() in a response and offset().", "formula");
        }
    }

    /// <summary>R's poly(x, degree, raw): orthogonal polynomials whose coefficients are kept for new data, or raw powers.</summary>
    private Value Poly(CallNode call)
    {
        Node xNode = call.Named("x", 0) ?? throw new ArgumentException($"{call.Deparse()} lacks x.", "formula");
        double[] x = Numeric(xNode);
        Node? degreeNode = call.Named("degree", 1);
        int degree = degreeNode is NumberNode { Value: >= 1 } dn && dn.Value == Math.Floor(dn.Value) ? (int)dn.Value
            : degreeNode is null ? 1 : throw new ArgumentException($"{call.Deparse()}: the degree must be a whole number of at least 1.", "formula");
        Node? rawNode = call.Named("raw", 2);
        bool raw = rawNode is NameNode { Name: "TRUE" or "T" };
        if (rawNode is not null && rawNode is not NameNode { Name: "TRUE" or "T" or "FALSE" or "F" }) throw new ArgumentException($"{call.Deparse()}: raw must be TRUE or FALSE.", "formula");
        if (x.Any(double.IsNaN)) throw new ArgumentException($"{call.Deparse()}: missing values are not allowed in poly (as in R).", "data");
        string[] suffixes = Enumerable.Range(1, degree).Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (raw) return new Value { Columns = Enumerable.Range(1, degree).Select(d => x.Select(v => Math.Pow(v, d)).ToArray()).ToArray(), Suffixes = suffixes };

        string label = call.Deparse();
        double[] alpha, norm2;
        if (training)
        {
            if (x.Distinct().Count() <= degree) throw new ArgumentException($"{label}: the degree must be less than the number of distinct points ({x.Distinct().Count()}).", "data");
            Polynomials.Orthogonal(x, degree, out alpha, out norm2);
            recipe.Poly[label] = (alpha, norm2);
        }
        else
        {
            (alpha, norm2) = recipe.Poly[label];
        }

        return new Value { Columns = Polynomials.Predict(x, alpha, norm2, degree), Suffixes = suffixes };
    }

    /// <summary>R's as.character for a number: 15 significant digits, exponent as e+06.</summary>
    private static string RString(double v)
    {
        if (v == Math.Floor(v) && Math.Abs(v) < 1e15) return v.ToString("0", CultureInfo.InvariantCulture);
        string s = v.ToString("G15", CultureInfo.InvariantCulture);
        int e = s.IndexOf('E', StringComparison.Ordinal);
        if (e < 0) return s;
        string exp = s[(e + 1)..];
        char sign = exp[0] == '-' ? '-' : '+';
        string digits = exp.TrimStart('+', '-').PadLeft(2, '0');
        return s[..e] + "e" + sign + digits;
    }
#pragma warning restore CA2208
}

/// <summary>R's orthogonal polynomials (poly): the three-term recurrence with its alpha and norm2, as predict.poly uses them.</summary>
internal static class Polynomials
{
    /// <summary>Monic orthogonal polynomials of degrees 1..d on x (unnormalised columns), with R's alpha (d) and norm2 (d + 2: 1, n, |Z1|^2, ...).</summary>
    public static double[][] Orthogonal(double[] x, int degree, out double[] alpha, out double[] norm2)
    {
        int n = x.Length;
        alpha = new double[degree];
        norm2 = new double[degree + 2];
        norm2[0] = 1;
        norm2[1] = n;
        double[] previous = Enumerable.Repeat(1.0, n).ToArray(), current = previous;
        var z = new double[degree][];
        for (int d = 0; d < degree; d++)
        {
            double sxz = 0;
            for (int i = 0; i < n; i++) sxz += x[i] * current[i] * current[i];
            alpha[d] = sxz / norm2[d + 1];
            var next = new double[n];
            double ratio = d == 0 ? 0 : norm2[d + 1] / norm2[d];
            for (int i = 0; i < n; i++) next[i] = (x[i] - alpha[d]) * current[i] - ratio * previous[i];
            norm2[d + 2] = next.Sum(v => v * v);
            z[d] = next;
            previous = current;
            current = next;
        }

        return z;
    }

    /// <summary>predict.poly: the recurrence at new x, each column divided by sqrt(norm2).</summary>
    public static double[][] Predict(double[] x, double[] alpha, double[] norm2, int degree)
    {
        int n = x.Length;
        var z = new double[degree + 1][];
        z[0] = Enumerable.Repeat(1.0, n).ToArray();
        z[1] = x.Select(v => v - alpha[0]).ToArray();
        for (int i = 1; i < degree; i++)
        {
            var next = new double[n];
            double ratio = norm2[i + 1] / norm2[i];
            for (int r = 0; r < n; r++) next[r] = (x[r] - alpha[i]) * z[i][r] - ratio * z[i - 1][r];
            z[i + 1] = next;
        }

        return Enumerable.Range(1, degree).Select(d => z[d].Select(v => v / Math.Sqrt(norm2[d + 1])).ToArray()).ToArray();
    }
}
