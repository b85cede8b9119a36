//! The category tree: business categories, their modules (which may carry a template), and
//! deeper levels where a business needs them.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use serde_json::json;

use super::entity::{category, point};
use super::{limits, require, KnowledgeError, Result};
use crate::audit;
use crate::views::{Actor, CategoryNode, PointStatus, Role, Template};
use crate::views::{Field, Problem, Thing};

/// The whole tree in memory: categories are few (hundreds), and every page needs paths.
pub struct Tree {
    rows: HashMap<i32, category::Model>,
}

impl Tree {
    pub async fn load(db: &impl ConnectionTrait) -> Result<Tree> {
        let rows = category::Entity::find().all(db).await?;
        Ok(Tree { rows: rows.into_iter().map(|c| (c.id, c)).collect() })
    }

    pub fn get(&self, id: i32) -> Option<&category::Model> {
        self.rows.get(&id)
    }

    /// Names from the root down.
    pub fn names(&self, id: i32) -> Vec<&str> {
        let mut names = Vec::new();
        let mut cur = self.rows.get(&id);
        while let Some(c) = cur {
            names.push(c.name.as_str());
            cur = c.parent_id.and_then(|p| self.rows.get(&p));
            if names.len() > 64 {
                break; // a cycle cannot be stored, but never loop on a damaged table
            }
        }
        names.reverse();
        names
    }

    /// The top-level category (business category) above `id`, or `id` itself.
    pub fn root(&self, id: i32) -> Option<i32> {
        let mut cur = self.rows.get(&id)?;
        // Bounded like every walk here: a damaged table must not hang a page.
        for _ in 0..64 {
            match cur.parent_id.and_then(|p| self.rows.get(&p)) {
                Some(parent) => cur = parent,
                None => return Some(cur.id),
            }
        }
        None
    }

    /// `root` and every category below it.
    pub fn under(&self, root: i32) -> Vec<i32> {
        self.rows.keys().copied().filter(|&id| self.root(id) == Some(root)).collect()
    }

    pub fn path(&self, id: i32) -> String {
        self.names(id).join("/")
    }

    fn child(&self, parent: Option<i32>, name: &str) -> Option<&category::Model> {
        self.rows.values().find(|c| c.parent_id == parent && c.name == name)
    }

    pub fn find_path(&self, path: &str) -> Option<i32> {
        let mut parent = None;
        for name in path.split('/') {
            parent = Some(self.child(parent, name.trim())?.id);
        }
        parent
    }

    fn is_within(&self, id: i32, ancestor: i32) -> bool {
        let mut cur = Some(id);
        let mut steps = 0;
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            cur = self.rows.get(&c).and_then(|c| c.parent_id);
            steps += 1;
            if steps > 64 {
                return true;
            }
        }
        false
    }

    fn node(&self, c: &category::Model, points: usize) -> CategoryNode {
        let names = self.names(c.id);
        CategoryNode {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name.clone(),
            depth: names.len(),
            path: names.join("/"),
            template: c.template,
            points,
        }
    }
}

/// The tree depth-first, siblings by name, with live point counts.
pub async fn tree(db: &impl ConnectionTrait) -> Result<Vec<CategoryNode>> {
    let tree = Tree::load(db).await?;
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for p in point::Entity::find().filter(point::Column::Status.ne(PointStatus::Archived)).all(db).await? {
        *counts.entry(p.category_id).or_default() += 1;
    }
    let mut out = Vec::with_capacity(tree.rows.len());
    fn walk(tree: &Tree, parent: Option<i32>, counts: &HashMap<i32, usize>, out: &mut Vec<CategoryNode>) {
        let mut children: Vec<&category::Model> =
            tree.rows.values().filter(|c| c.parent_id == parent).collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        for c in children {
            out.push(tree.node(c, counts.get(&c.id).copied().unwrap_or(0)));
            walk(tree, Some(c.id), counts, out);
        }
    }
    walk(&tree, None, &counts, &mut out);
    Ok(out)
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<CategoryNode> {
    tree(db)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Problem::not_found(Thing::Category, id).into())
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Problem::Empty { field: Field::CategoryName }.into());
    }
    if name.contains('/') {
        return Err(Problem::CategorySlash { name: name.to_string() }.into());
    }
    let chars = name.chars().count();
    if chars > limits::CATEGORY_NAME_CHARS {
        return Err(
            Problem::TooLong { field: Field::CategoryName, chars, max: limits::CATEGORY_NAME_CHARS }.into()
        );
    }
    if name.chars().any(char::is_control) {
        return Err(Problem::ControlCharacters { field: Field::CategoryName }.into());
    }
    Ok(name.to_string())
}

fn check_free(tree: &Tree, parent: Option<i32>, name: &str, except: Option<i32>) -> Result<()> {
    match tree.child(parent, name) {
        Some(c) if Some(c.id) != except => {
            Err(Problem::CategoryExists { name: name.to_string(), path: tree.path(c.id) }.into())
        }
        _ => Ok(()),
    }
}

fn check_depth(tree: &Tree, parent: Option<i32>, subtree_height: usize) -> Result<()> {
    let depth = parent.map(|p| tree.names(p).len()).unwrap_or(0) + subtree_height;
    if depth > limits::CATEGORY_DEPTH {
        return Err(Problem::TooDeep { max: limits::CATEGORY_DEPTH }.into());
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    parent_id: Option<i32>,
    name: &str,
    template: Option<Template>,
) -> Result<CategoryNode> {
    require(actor, Role::Trainer, "changing categories")?;
    let name = check_name(name)?;
    let txn = crate::storage::write(db).await?;
    let tree = Tree::load(&txn).await?;
    if let Some(p) = parent_id {
        tree.get(p).ok_or_else(|| KnowledgeError::from(Problem::not_found(Thing::Category, p)))?;
    }
    check_free(&tree, parent_id, &name, None)?;
    check_depth(&tree, parent_id, 1)?;
    let id = insert(&txn, parent_id, &name, template).await?;
    audit::record(&txn, actor, "category.create", &format!("category:{id}"), Some(json!({ "name": name })))
        .await?;
    txn.commit().await?;
    get(db, id).await
}

async fn insert(
    db: &impl ConnectionTrait,
    parent_id: Option<i32>,
    name: &str,
    template: Option<Template>,
) -> Result<i32> {
    let now = Utc::now();
    let c = category::ActiveModel {
        parent_id: Set(parent_id),
        name: Set(name.to_string()),
        template: Set(template),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(c.id)
}

/// Renames, moves (`parent_id`: `Some(None)` moves to the top) and sets the template in one
/// audited change.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    name: Option<&str>,
    parent_id: Option<Option<i32>>,
    template: Option<Option<Template>>,
) -> Result<CategoryNode> {
    require(actor, Role::Trainer, "changing categories")?;
    let txn = crate::storage::write(db).await?;
    let tree = Tree::load(&txn).await?;
    let current =
        tree.get(id).ok_or_else(|| KnowledgeError::from(Problem::not_found(Thing::Category, id)))?.clone();
    let name = match name {
        Some(n) => check_name(n)?,
        None => current.name.clone(),
    };
    let parent = parent_id.unwrap_or(current.parent_id);
    if let Some(p) = parent {
        tree.get(p).ok_or_else(|| KnowledgeError::from(Problem::not_found(Thing::Category, p)))?;
        if tree.is_within(p, id) {
            return Err(Problem::CategoryCycle { path: tree.path(id) }.into());
        }
    }
    check_free(&tree, parent, &name, Some(id))?;
    check_depth(&tree, parent, subtree_height(&tree, id))?;
    let before = tree.path(id);
    let mut row: category::ActiveModel = current.into();
    row.name = Set(name);
    row.parent_id = Set(parent);
    if let Some(t) = template {
        row.template = Set(t);
    }
    row.updated_at = Set(Utc::now());
    row.update(&txn).await?;
    let after = Tree::load(&txn).await?.path(id);
    audit::record(
        &txn,
        actor,
        "category.update",
        &format!("category:{id}"),
        Some(
            json!({ "before": before, "after": after, "template": template.map(|t| t.map(|t| t.as_str())) }),
        ),
    )
    .await?;
    txn.commit().await?;
    get(db, id).await
}

fn subtree_height(tree: &Tree, id: i32) -> usize {
    1 + tree
        .rows
        .values()
        .filter(|c| c.parent_id == Some(id))
        .map(|c| subtree_height(tree, c.id))
        .max()
        .unwrap_or(0)
}

/// The category at `path` (`A/B`), created level by level where missing. For imports.
pub async fn ensure_path(db: &impl ConnectionTrait, actor: &Actor, path: &str) -> Result<i32> {
    let names: Vec<String> = path.split('/').map(check_name).collect::<Result<_>>()?;
    if names.len() > limits::CATEGORY_DEPTH {
        return Err(Problem::TooDeep { max: limits::CATEGORY_DEPTH }.into());
    }
    let mut parent = None;
    for name in names {
        let found = category::Entity::find()
            .filter(match parent {
                Some(p) => category::Column::ParentId.eq(p),
                None => category::Column::ParentId.is_null(),
            })
            .filter(category::Column::Name.eq(name.as_str()))
            .one(db)
            .await?;
        parent = Some(match found {
            Some(c) => c.id,
            None => {
                let id = insert(db, parent, &name, None).await?;
                audit::record(
                    db,
                    actor,
                    "category.create",
                    &format!("category:{id}"),
                    Some(json!({ "name": name })),
                )
                .await?;
                id
            }
        });
    }
    parent.ok_or_else(|| Problem::Empty { field: Field::Category }.into())
}

pub async fn exists(db: &impl ConnectionTrait, id: i32) -> Result<bool> {
    Ok(category::Entity::find_by_id(id).count(db).await? > 0)
}
